//! The staff API against its own contract, checked by an outside tool: schemathesis (pinned in
//! `scripts/requirements-dev.txt`) generates requests from `openapi.yaml`, every operation and
//! its stateful links, and runs every check it has (`--checks all`: no 5xx, status codes,
//! content types, headers and bodies as documented, bad data refused, good data accepted,
//! `Allow` on 405, …) against the real handler on the local stack. A fixed seed keeps a run
//! repeatable; another: `SCHEMATHESIS_SEED=<n> cargo test -p e2e --test schemathesis`.

use e2e::{localstack::workspace_root, TestEnv, API_TOKEN};
use std::sync::Arc;

const ANNA: u64 = 5001;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_api_keeps_its_openapi_contract_under_schemathesis() {
    let env = TestEnv::new().await;
    // Something to find: the demo directory and a ticket with a comment.
    e2e::seed_demo_directory(&env.api).await.expect("the demo directory");
    let (status, created) = env
        .api(
            "POST",
            "/tickets",
            Some(serde_json::json!({"contact_id": "demo-anna", "subject": "Принтер", "source": "phone"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    // A call-back request for the link from its listing to its closing.
    env.registered_contact(ANNA).await;
    env.deliver(&e2e::updates::text(2, ANNA, shared::texts::BTN_CALL_ME.ru)).await;
    let (_, open) = env.api("GET", "/callback-requests?state=open", None).await;
    assert_eq!(open["callback_requests"].as_array().map(Vec::len), Some(1), "{open}");
    let env = Arc::new(env);
    let address = e2e::serve(0, {
        let env = env.clone();
        move |request| {
            let env = env.clone();
            async move { env.try_call_api(request).await }
        }
    })
    .await
    .expect("the API on a local port");

    let root = workspace_root();
    let seed = std::env::var("SCHEMATHESIS_SEED").unwrap_or_else(|_| "20261205".into());
    let report = std::env::temp_dir().join(format!("schemathesis-{}", std::process::id()));
    // Run from a folder of its own: schemathesis keeps the failures it found in its working
    // folder and replays them first, which would make one run depend on the last.
    std::fs::create_dir_all(&report).expect("a working folder");
    let document = root.join("openapi.yaml");
    let output = tokio::process::Command::new(root.join(".venv/bin/schemathesis"))
        .current_dir(&report)
        // The rules between values no schema can say (`hooks.py`).
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", root.join("tests/contract"))
        .args(["run", &document.display().to_string(), "--url", &format!("http://{address}")])
        .args(["--header", &format!("Authorization: Bearer {API_TOKEN}")])
        .args(["--checks", "all", "--seed", &seed, "--max-examples", "40", "--workers", "1"])
        .args(["--generation-database", "none", "--no-color", "--output-truncate", "true"])
        .args(["--request-timeout", "20", "--suppress-health-check", "too_slow"])
        .args(["--report", "junit", "--report-dir", &report.display().to_string()])
        .output()
        .await
        .expect("schemathesis runs (make setup installs it)");
    let _ = std::fs::remove_dir_all(&report);
    let printed = String::from_utf8_lossy(&output.stdout);
    println!("{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "schemathesis found failures (above)");
}
