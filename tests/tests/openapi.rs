//! openapi.yaml and the API agree: every documented operation is routed, and every route the
//! API answers is documented.

use e2e::TestEnv;
use serde_yaml::Value;

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

fn document() -> Value {
    let text = std::fs::read_to_string(e2e::localstack::workspace_root().join("openapi.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// A concrete path for a template: `{id}` becomes a value the route accepts.
fn concrete(template: &str) -> String {
    template.replace("{kind}", "clients").replace("/tickets/{id}", "/tickets/1").replace("{id}", "x1")
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_every_route_documented() {
    let env = TestEnv::new().await;
    let doc = document();
    let paths = doc["paths"].as_mapping().expect("paths");
    let mut documented = vec![];
    for (path, item) in paths {
        let path = path.as_str().unwrap();
        for method in METHODS {
            let routed_status = {
                let (status, body) =
                    env.api(&method.to_uppercase(), &concrete(path), Some(serde_json::json!({}))).await;
                (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
            };
            let is_documented = item.get(method).is_some();
            let is_routed = routed_status.1 != "no_such_path" && routed_status.1 != "method_not_allowed";
            assert_eq!(
                is_documented,
                is_routed,
                "{} {path}: documented {is_documented}, answered {routed_status:?}",
                method.to_uppercase()
            );
            if is_documented {
                documented.push(format!("{} {path}", method.to_uppercase()));
                let responses = item[method]["responses"].as_mapping().expect("responses");
                assert!(responses.contains_key("401"), "{method} {path} documents 401");
            }
        }
    }
    assert_eq!(documented.len(), 16, "{documented:#?}");
    // A path the document does not have is not routed either.
    assert_eq!(env.api("GET", "/nowhere", None).await.1["error"]["code"], "no_such_path");
}

#[test]
fn the_documented_statuses_and_error_codes_are_the_implemented_ones() {
    let doc = document();
    let text = serde_yaml::to_string(&doc).unwrap();
    for code in [
        "unauthorized",
        "bad_request",
        "validation_failed",
        "not_found",
        "unknown_reference",
        "no_such_path",
        "method_not_allowed",
        "too_large",
        "conflict",
        "inactive_reference",
        "internal_error",
        "unavailable",
    ] {
        assert!(text.contains(code), "openapi.yaml mentions the error code {code}");
    }
    let statuses = doc["components"]["schemas"]["TicketStatus"]["enum"].as_sequence().map(|s| s.len());
    let codes: Vec<&str> = shared::domain::TicketStatus::ALL.iter().map(|s| s.code()).collect();
    let documented: Vec<String> = doc["components"]["schemas"]["TicketStatus"]["enum"]
        .as_sequence()
        .map(|s| s.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(statuses, Some(codes.len()), "TicketStatus enum");
    assert_eq!(documented, codes);
}
