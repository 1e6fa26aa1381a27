//! `make invoke EVENT=events/<kind>/<file>.json`: runs one sample event through its real
//! handler against the local stack (data in `.local/invoke`, the demo directory seeded) and
//! prints the answer and every Telegram call it caused.

use e2e::fake_telegram::FakeTelegram;
use e2e::localstack::{workspace_root, LocalStack, Persistence};
use e2e::Function;
use shared::config::{ApiConfig, NotifierConfig, WebhookConfig};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let path = std::env::args().nth(1).ok_or("usage: invoke <event file> (make invoke EVENT=events/...)")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let stack = LocalStack::start(Persistence::Folder(workspace_root().join(".local/invoke")))?;
    let resources = stack.create_resources("local-").await?;
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    e2e::register_demo_files(&telegram);
    let configured = |function| {
        let env = e2e::function_env(function, &resources, &telegram.url);
        move |name: &str| env.get(name).cloned()
    };
    let api = api::StaffApi::new(
        &ApiConfig::from_lookup(configured(Function::Api))?,
        stack.dynamodb_as(Function::Api.access_key()),
        stack.s3_as(Function::Api.access_key()),
    );
    e2e::seed_demo_directory(&api).await?;
    let store = shared::dynamo::DynamoStore::new(
        stack.dynamodb(),
        resources.table("BotTable"),
        resources.table("TicketsTable"),
    );
    e2e::seed_demo_notice(&store).await?;

    let value: serde_json::Value = serde_json::from_str(&text)?;
    if value.get("Records").is_some() {
        let notifier = notifier::Notifier::new(
            &NotifierConfig::from_lookup(configured(Function::Notifier))?,
            stack.dynamodb_as(Function::Notifier.access_key()),
            stack.s3_as(Function::Notifier.access_key()),
        )?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let response = notifier.handle(serde_json::from_value(value)?, deadline).await;
        println!("notifier answered: {}", serde_json::to_string(&response)?);
    } else {
        let request = lambda_http::request::from_str(&text)?;
        let response = if path.contains("/api/") {
            api.handler(request).await?
        } else {
            let config = WebhookConfig::from_lookup(configured(Function::Webhook))?;
            webhook::Webhook::new(
                &config,
                stack.dynamodb_as(Function::Webhook.access_key()),
                stack.s3_as(Function::Webhook.access_key()),
            )
            .handler(request)
            .await?
        };
        let body = String::from_utf8_lossy(response.body().as_ref()).into_owned();
        println!("HTTP {}\n{body}", response.status().as_u16());
    }
    for call in telegram.calls() {
        println!("→ Telegram {} {}", call.method, call.params);
    }
    Ok(())
}
