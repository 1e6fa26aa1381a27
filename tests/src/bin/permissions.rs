//! `make permissions`: what each function did in AWS terms during the run just made, held
//! against its policy in template.yaml.
//!
//! The local proxies (`e2e::iam`) recorded every action each function's requests needed and
//! refused those its policy does not grant. This prints, per function, every granted and every
//! used action with its resource, and fails when a request was refused (a missing grant) or a
//! grant was never used (least privilege), unless `iam::UNUSED_GRANTS` names it with why.

use e2e::iam::{self, Policies, UNUSED_GRANTS};
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

fn main() -> ExitCode {
    let policies = match Policies::load() {
        Ok(policies) => policies,
        Err(error) => {
            eprintln!("permissions: template.yaml: {error}");
            return ExitCode::FAILURE;
        }
    };
    let recorded = match iam::recorded() {
        Ok(recorded) => recorded,
        Err(error) => {
            eprintln!("permissions: {}: {error}", iam::record_dir().display());
            return ExitCode::FAILURE;
        }
    };
    if recorded.is_empty() {
        eprintln!("permissions: nothing recorded in {}: run the suites first (make test)", iam::record_dir().display());
        return ExitCode::FAILURE;
    }
    let mut used: BTreeMap<&str, BTreeMap<(String, String), bool>> = BTreeMap::new();
    for u in &recorded {
        let allowed = used.entry(u.function.as_str()).or_default().entry((u.action.clone(), u.resource.clone()));
        *allowed.or_insert(true) &= u.allowed;
    }
    let mut problems = vec![];
    for (function, granted) in &policies.by_function {
        let granted: BTreeSet<(String, String)> =
            granted.iter().map(|(action, resource)| (action.clone(), resource.to_string())).collect();
        let of_function = used.remove(function.as_str()).unwrap_or_default();
        println!("{function}");
        let every: BTreeSet<&(String, String)> = granted.iter().chain(of_function.keys()).collect();
        if every.is_empty() {
            println!("  (no AWS actions)");
        }
        for permission @ (action, resource) in every {
            let is_granted = granted.contains(permission);
            let verdict = match (is_granted, of_function.get(permission)) {
                (true, Some(_)) => "used",
                (false, Some(_)) => {
                    problems.push(format!("{function} needs {action} on {resource}: template.yaml does not grant it"));
                    "NEEDED, NOT GRANTED"
                }
                (true, None) => match exception(function, action, resource) {
                    Some(why) => {
                        println!("  {action:<30} {resource:<26} granted, unused: {why}");
                        continue;
                    }
                    None => {
                        problems.push(format!("{function} is granted {action} on {resource}, which no test used"));
                        "GRANTED, UNUSED"
                    }
                },
                (false, None) => unreachable!("every listed permission is granted or used"),
            };
            println!("  {action:<30} {resource:<26} {verdict}");
        }
    }
    for (function, permissions) in used {
        for (action, resource) in permissions.keys() {
            problems.push(format!("{function} (not a function of template.yaml) used {action} on {resource}"));
        }
    }
    if problems.is_empty() {
        println!("permissions: every function is granted exactly what the suites used");
        ExitCode::SUCCESS
    } else {
        for problem in &problems {
            eprintln!("permissions: {problem}");
        }
        ExitCode::FAILURE
    }
}

fn exception(function: &str, action: &str, resource: &str) -> Option<&'static str> {
    UNUSED_GRANTS.iter().find(|(f, a, r, _)| *f == function && *a == action && *r == resource).map(|(.., why)| *why)
}
