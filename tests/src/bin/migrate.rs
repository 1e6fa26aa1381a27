//! `make migrate`: brings items written by earlier releases up to date (idempotent; safe while
//! the bot serves). Today: call-back requests made before the `ByStatus` index existed are
//! given what puts them in it, so `GET /callback-requests` lists them.
//!
//! - In AWS: `TICKETS_TABLE` of the stack in the environment (the stack's `TicketsTableName`
//!   output); AWS credentials and region as for the AWS CLI. It scans the table once.
//! - Locally (no `TICKETS_TABLE`): the tables of `make run` (stop it first: both run DynamoDB
//!   Local over `.local/dynamodb`).

use e2e::localstack::{workspace_root, LocalStack, Persistence};
use shared::dynamo::{DynamoClient, DynamoStore};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // The local stack runs as long as this binds it.
    let mut _local_stack = None;
    let store = match var("TICKETS_TABLE") {
        Some(tickets_table) => {
            let sdk = shared::dynamo::load_sdk_config().await;
            // The bot table is not touched by this migration.
            DynamoStore::new(DynamoClient::new(&sdk), var("BOT_TABLE").unwrap_or_default(), tickets_table)
        }
        None => {
            println!(
                "No TICKETS_TABLE: migrating the local stack's tables (.local/dynamodb, as `make run` keeps them)."
            );
            let stack = LocalStack::start(Persistence::Folder(workspace_root().join(".local/dynamodb")))?;
            let resources = stack.create_resources("local-").await?;
            let store =
                DynamoStore::new(stack.dynamodb(), resources.table("BotTable"), resources.table("TicketsTable"));
            _local_stack = Some(stack);
            store
        }
    };
    let migrated = store.list_old_call_me_requests().await?;
    println!(
        "Call-back requests: {} given their place in the ByStatus index, {} already there.",
        migrated.updated, migrated.current
    );
    Ok(())
}
