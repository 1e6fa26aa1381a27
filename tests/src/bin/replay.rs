//! `make replay`: sends every notice kept for replay (the BotTable's `FAILED#` items) through
//! the notifier's own sending code (`shared::notify::Courier::replay`): delivered and
//! undeliverable ones are forgotten, those that fail again stay kept with the new reason.
//! `make replay ARGS=--list` only lists them. Exits non-zero while something is still kept.
//!
//! - In AWS: `BOT_TABLE`, `TICKETS_TABLE` and `TELEGRAM_BOT_TOKEN` (`TELEGRAM_API_URL` if it is
//!   not the default) of the stack in the environment; AWS credentials and region as for the
//!   AWS CLI. README, "Operating it", has the command.
//! - Locally (no `BOT_TABLE`): the tables of `make run` (stop it first: both run DynamoDB Local
//!   over `.local/dynamodb`), and the fake Telegram, which prints what it is sent; or real
//!   Telegram with `TELEGRAM_BOT_TOKEN`.

use e2e::fake_telegram::FakeTelegram;
use e2e::localstack::{workspace_root, LocalStack, Persistence};
use shared::dynamo::{DynamoClient, DynamoStore};
use shared::notify::{self, Courier};
use shared::ports::FailedNotices;
use shared::telegram::{TelegramMessenger, Timeouts};
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long one replay may run: a 429 is waited out only within it.
const REPLAY_TIME: Duration = Duration::from_secs(15 * 60);

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let list_only = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--list") => true,
        Some(other) => return Err(format!("usage: replay [--list] (not {other:?})").into()),
    };
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // The local stack runs as long as this binds it.
    let mut _local_stack = None;
    let mut fake = None;
    let (store, api_url, token) = match var("BOT_TABLE") {
        Some(bot_table) => {
            let tickets_table =
                var("TICKETS_TABLE").ok_or("TICKETS_TABLE is not set (the stack's TicketsTableName)")?;
            let token = var("TELEGRAM_BOT_TOKEN").ok_or("TELEGRAM_BOT_TOKEN is not set")?;
            let sdk = shared::dynamo::load_sdk_config().await;
            let store = DynamoStore::new(DynamoClient::new(&sdk), bot_table, tickets_table);
            (store, shared::config::telegram_api_url(var), token)
        }
        None => {
            println!("No BOT_TABLE: replaying the local stack's notices (.local/dynamodb, as `make run` keeps them).");
            let stack = LocalStack::start(Persistence::Folder(workspace_root().join(".local/dynamodb")))?;
            let resources = stack.create_resources("local-").await?;
            let store =
                DynamoStore::new(stack.dynamodb(), resources.table("BotTable"), resources.table("TicketsTable"));
            _local_stack = Some(stack);
            match var("TELEGRAM_BOT_TOKEN") {
                Some(token) => (store, shared::config::telegram_api_url(var), token),
                None => {
                    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
                    let url = telegram.url.clone();
                    fake = Some(telegram);
                    (store, url, e2e::BOT_TOKEN.to_owned())
                }
            }
        }
    };

    let mut kept = store.kept().await?;
    kept.sort_by(|a, b| a.failed_at.cmp(&b.failed_at).then_with(|| a.notice.key.cmp(&b.notice.key)));
    println!("{} notices kept for replay.", kept.len());
    if list_only {
        for failed in &kept {
            println!(
                "{}  {}  to {}  {}: {}",
                failed.failed_at.to_rfc3339(),
                failed.notice.key,
                failed.notice.user,
                failed.reason.code(),
                failed.detail
            );
        }
        return Ok(());
    }
    if kept.is_empty() {
        return Ok(());
    }

    let timeouts = Timeouts::default();
    let messenger = TelegramMessenger::with_timeouts(&api_url, &token, timeouts)?;
    let courier =
        Courier { store, messenger, reserve: notify::reserve_for(timeouts.call), pacer: notify::Pacer::default() };
    let deadline = Instant::now() + REPLAY_TIME;
    let report = courier.replay(|| deadline.saturating_duration_since(Instant::now()), chrono::Utc::now()).await?;
    if let Some(telegram) = &fake {
        for call in telegram.calls() {
            println!("→ Telegram {} {}", call.method, call.params);
        }
    }
    for failed in &report.failed {
        println!(
            "failed again: {} to {}: {}: {}",
            failed.notice.key,
            failed.notice.user,
            failed.reason.code(),
            failed.detail
        );
    }
    println!(
        "delivered {}, delivered before {}, undeliverable {}, recipient gone {}, failed again {}, not tried {}",
        report.delivered,
        report.delivered_before,
        report.undeliverable,
        report.recipient_gone,
        report.failed.len(),
        report.not_tried
    );
    let left = report.failed.len() + report.not_tried;
    if left > 0 {
        return Err(format!("{left} notices are still kept: fix the cause above and replay again").into());
    }
    Ok(())
}
