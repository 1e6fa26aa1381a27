//! Staff API, part 1 (the directory), through the real API handler and DynamoDB Local.

use e2e::{TestEnv, API_TOKEN};
use serde_json::json;

#[tokio::test]
async fn requests_without_the_bearer_token_are_refused() {
    let env = TestEnv::new().await;
    for authorization in [None, Some("Bearer wrong-token-0000000000"), Some(API_TOKEN), Some("Basic dGVzdA==")] {
        let (status, body) = env.api_raw("GET", "/clients/k1", authorization, "application/json", vec![]).await;
        assert_eq!(status, 401, "{authorization:?}");
        assert_eq!(body["error"]["code"], "unauthorized");
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn clients_contacts_and_employees_round_trip() {
    let env = TestEnv::new().await;
    let (status, employee) =
        env.api("PUT", "/employees/e1", Some(json!({"name": "Иван Петров", "phone": "8 (999) 111-22-33"}))).await;
    assert_eq!(status, 201);
    assert_eq!(
        employee,
        json!({"id": "e1", "name": "Иван Петров", "phone": "+79991112233", "active": true, "telegram_linked": false})
    );

    let client = json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": true});
    assert_eq!(env.api("PUT", "/clients/k1", Some(client.clone())).await.0, 201);
    assert_eq!(env.api("PUT", "/clients/k1", Some(client)).await.0, 200, "a second PUT replaces");
    let (status, got) = env.api("GET", "/clients/k1", None).await;
    assert_eq!(status, 200);
    assert_eq!(got, json!({"id": "k1", "name": "ООО Ромашка", "manager_id": "e1", "vip": true}));

    let (status, contact) = env
        .api("PUT", "/contacts/c1", Some(json!({"name": "Анна", "phone": "+7 912 345 67 89", "client_id": "k1"})))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        contact,
        json!({"id": "c1", "name": "Анна", "phone": "+79123456789", "client_id": "k1", "active": true, "telegram_linked": false})
    );
    assert_eq!(env.api("GET", "/contacts/c1", None).await.1, contact);
    assert_eq!(env.api("GET", "/employees/e1", None).await.1, employee);
}

#[tokio::test]
async fn bad_bodies_are_400_invalid_ones_422_unknown_ones_404() {
    let env = TestEnv::new().await;
    env.api("PUT", "/clients/k1", Some(json!({"name": "ООО Ромашка"}))).await;
    let bad_json = env
        .api_raw("PUT", "/clients/k2", Some(&format!("Bearer {API_TOKEN}")), "application/json", b"{name:".to_vec())
        .await;
    assert_eq!(bad_json.0, 400);
    assert_eq!(bad_json.1["error"]["code"], "bad_request");

    let invalid = [
        ("/contacts/c1", json!({"name": "Анна", "phone": "12", "client_id": "k1"}), "phone"),
        ("/contacts/c1", json!({"name": "", "phone": "+79123456789", "client_id": "k1"}), "name"),
        ("/contacts/c1", json!({"phone": "+79123456789", "client_id": "k1"}), "name"),
        ("/clients/k2", json!({"name": "X", "vip": "yes"}), "vip"),
        ("/employees/e1", json!({"name": "Иван", "phone": "not a phone"}), "phone"),
        ("/clients/bad%20id", json!({"name": "X"}), "id"),
    ];
    for (path, body, field) in invalid {
        let (status, answer) = env.api("PUT", path, Some(body)).await;
        assert_eq!(status, 422, "{path} {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert!(answer["error"]["message"].as_str().unwrap().contains(field), "{answer}");
    }
    let unknown = [
        ("/contacts/c1", json!({"name": "Анна", "phone": "+79123456789", "client_id": "nobody"}), "client_id"),
        ("/clients/k2", json!({"name": "X", "manager_id": "ghost"}), "manager_id"),
    ];
    for (path, body, field) in unknown {
        let (status, answer) = env.api("PUT", path, Some(body)).await;
        assert_eq!((status, &answer["error"]["code"]), (404, &json!("unknown_reference")), "{path} {answer}");
        assert!(answer["error"]["message"].as_str().unwrap().starts_with(field), "{answer}");
    }
    assert_eq!(env.api("GET", "/contacts/c1", None).await.0, 404, "nothing stored by refused requests");
    assert_eq!(env.api("GET", "/clients/k2", None).await.0, 404, "nothing stored by refused requests");
    assert_eq!(env.api("GET", "/clients/none", None).await.0, 404);
    let (status, answer) = env.api("DELETE", "/contacts/none", None).await;
    assert_eq!(status, 405, "records are deactivated, not deleted: {answer}");
    assert_eq!(env.api("GET", "/nowhere", None).await.0, 404);
    assert_eq!(env.api("POST", "/clients/k1", Some(json!({}))).await.0, 405);
}

#[tokio::test]
async fn csv_import_upserts_good_lines_and_reports_bad_ones() {
    let env = TestEnv::new().await;
    let post_csv = |kind: &'static str, csv: &'static str| {
        let env = &env;
        async move {
            env.api_raw(
                "POST",
                &format!("/import/{kind}"),
                Some(&format!("Bearer {API_TOKEN}")),
                "text/csv",
                csv.as_bytes().to_vec(),
            )
            .await
        }
    };
    let (status, employees) =
        post_csv("employees", "id,name,phone\ne1,Иван Петров,8 (999) 111-22-33\ne2,Мария,\n").await;
    assert_eq!(status, 200);
    assert_eq!(employees, json!({"imported": 2, "rejected": []}));

    let (_, clients) = post_csv("clients", "client_id,name,manager_id,vip\nk1,ООО Ромашка,e1,true\nk2,\"АО \"\"Лютик\"\"\",,\nk3,Нет менеджера,ghost,false\n").await;
    assert_eq!(clients["imported"], 2);
    assert_eq!(clients["rejected"][0]["line"], 4);
    assert!(clients["rejected"][0]["reason"].as_str().unwrap().contains("manager_id"));
    assert_eq!(env.api("GET", "/clients/k2", None).await.1["name"], "АО \"Лютик\"");

    let csv = "contact_id,name,phone,client_id,active\n\
               c1,Анна,8 (912) 345-67-89,k1,\n\
               c2,Борис,+7 912 345 67 90,k2,false\n\
               c3,Вера,123,k1,true\n\
               c4,Глеб,+79123456792,k9,true\n\
               c5,Дина,+79123456793,k1,maybe\n";
    let (status, contacts) = env
        .api_raw("POST", "/import/contacts", Some(&format!("Bearer {API_TOKEN}")), "text/csv", csv.as_bytes().to_vec())
        .await;
    assert_eq!(status, 200);
    assert_eq!(contacts["imported"], 2);
    let lines: Vec<u64> =
        contacts["rejected"].as_array().unwrap().iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [4, 5, 6]);
    let (_, c1) = env.api("GET", "/contacts/c1", None).await;
    assert_eq!((c1["phone"].as_str(), c1["active"].as_bool()), (Some("+79123456789"), Some(true)));
    assert_eq!(env.api("GET", "/contacts/c2", None).await.1["active"], false);
    assert_eq!(env.api("GET", "/contacts/c3", None).await.0, 404);

    assert_eq!(post_csv("tickets", "id\n1\n").await.0, 404);
    assert_eq!(post_csv("clients", "name\nX\n").await.0, 422, "an id column is required");
}

/// 5,000 contacts (the most one import takes) land whole, and again the same; prints how long
/// each took (measured, never asserted).
#[tokio::test]
async fn the_largest_import_finishes_and_a_repeat_is_the_same() {
    let env = TestEnv::new().await;
    assert_eq!(env.api("PUT", "/clients/k1", Some(json!({"name": "ООО Ромашка"}))).await.0, 201);
    let mut csv = String::from("contact_id,name,phone,client_id\n");
    for i in 0..shared::api::IMPORT_MAX_ROWS {
        csv.push_str(&format!("c{i},Контакт {i},+7912{i:07},k1\n"));
    }
    csv.push_str("bad,Без телефона,,k1\n");
    let import = |body: String| {
        let env = &env;
        async move {
            env.api_raw("POST", "/import/contacts", Some(&format!("Bearer {API_TOKEN}")), "text/csv", body.into_bytes())
                .await
        }
    };
    let (status, too_many) = import(csv.clone()).await;
    assert_eq!(status, 413, "{too_many}");
    assert_eq!(env.api("GET", "/contacts/c0", None).await.0, 404, "nothing written");

    let csv = csv.replace(",+79120004999,", ",123,").replace("bad,Без телефона,,k1\n", "");
    let started = std::time::Instant::now();
    let (status, first) = import(csv.clone()).await;
    let first_took = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(first["imported"], shared::api::IMPORT_MAX_ROWS - 1, "{}", first["rejected"]);
    assert_eq!(first["rejected"][0]["line"], 5001, "{}", first["rejected"]);
    let started = std::time::Instant::now();
    let (_, again) = import(csv).await;
    println!("5,000 contact lines: first import {first_took:?}, repeat {:?}", started.elapsed());
    assert_eq!(again, first, "a repeat is the same");
    assert_eq!(env.api("GET", "/contacts/c4998", None).await.1["phone"], "+79120004998");
}
