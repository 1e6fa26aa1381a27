//! `make migrate` against DynamoDB Local: call-back requests written before the `ByStatus`
//! index existed are listed by the staff API once migrated, in their state and at their time;
//! a second run changes nothing.

use e2e::TestEnv;
use serde_json::{json, Value};
use shared::dynamo::attr::{n, s};
use shared::dynamo::Migrated;

/// A call-back request as the release before `ByStatus` wrote it: no `status`, no `created_at`.
async fn put_old_request(env: &TestEnv, id: &str, state: &str, requested_at: &str) {
    let key = shared::dynamo::keys::call_me(id);
    env.dynamodb
        .put_item()
        .table_name(env.resources.table("TicketsTable"))
        .item("pk", s(key.pk))
        .item("sk", s(key.sk))
        .item("id", s(id))
        .item("requester", s("c1"))
        .item("requester_client", s("k1"))
        .item("requested_at", s(requested_at))
        .item("state", s(state))
        .item("version", n(1))
        .send()
        .await
        .expect("an old item written");
}

async fn listed(env: &TestEnv, query: &str) -> Vec<Value> {
    let (status, page) = env.api("GET", &format!("/callback-requests{query}"), None).await;
    assert_eq!(status, 200, "{page}");
    page["callback_requests"].as_array().expect("a list").clone()
}

#[tokio::test]
async fn old_call_back_requests_are_listed_once_migrated() {
    let env = TestEnv::new().await;
    env.registered_contact(5001).await;
    put_old_request(&env, "old-1", "new", "2026-01-10T09:00:00.000Z").await;
    put_old_request(&env, "old-2", "manager_notified", "2026-01-11T09:00:00.000Z").await;
    assert!(listed(&env, "").await.is_empty(), "not in the index before");

    let store = env.store();
    assert_eq!(store.list_old_call_me_requests().await.unwrap(), Migrated { updated: 2, current: 0 });
    let all = listed(&env, "").await;
    let ids: Vec<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["old-2", "old-1"], "newest first, by the time they were asked at");
    assert_eq!(all[1]["state"], "new");
    assert!(all[1]["created_at"].as_str().unwrap().starts_with("2026-01-10T09:00:00"), "{}", all[1]);
    assert_eq!(listed(&env, "?state=manager_notified").await.len(), 1);
    assert_eq!(listed(&env, "?state=open").await.len(), 2);

    // Staff close one; a second run leaves both as they are.
    let (status, _) = env.api("PATCH", "/callback-requests/old-1", Some(json!({"state": "done"}))).await;
    assert_eq!(status, 200);
    assert_eq!(store.list_old_call_me_requests().await.unwrap(), Migrated { updated: 0, current: 2 });
    assert_eq!(listed(&env, "?state=done").await.len(), 1);
    assert_eq!(listed(&env, "?state=open").await.len(), 1);
}
