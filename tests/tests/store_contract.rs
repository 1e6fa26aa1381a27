//! The store contract (`shared::test_util::contract`) against DynamoDB Local: the same checks the memory
//! store passes in the unit tests, each on fresh tables of the shared local stack.

use shared::dynamo::DynamoStore;
use std::sync::atomic::{AtomicU64, Ordering};

/// A store over tables of its own (created from template.yaml), so the checks cannot meet.
async fn fresh_store() -> DynamoStore {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let stack = e2e::stack();
    let prefix = format!("contract{}-{}-", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let resources = stack.create_resources(&prefix).await.expect("tables from template.yaml");
    DynamoStore::new(stack.dynamodb(), resources.table("BotTable"), resources.table("TicketsTable"))
}

shared::store_contract_tests!(fresh_store().await);
