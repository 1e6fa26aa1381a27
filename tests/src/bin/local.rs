//! `make run`: the whole bot on this machine, without AWS and without Docker.
//!
//! - DynamoDB Local and moto's S3 server (data of DynamoDB kept in `.local/`), tables and
//!   bucket from template.yaml, a demo directory seeded on first start;
//! - the webhook and the staff API as HTTP servers on local ports, running the real handlers;
//! - the notifier fed from the local TicketsTable stream;
//! - Telegram: with `TELEGRAM_BOT_TOKEN` set, real Telegram by long polling (getUpdates into
//!   the same handler as the webhook); without it, the fake Telegram and a chat simulator in
//!   this terminal.

use e2e::fake_telegram::FakeTelegram;
use e2e::localstack::{workspace_root, LocalStack, Persistence};
use e2e::simulator::{Simulator, HELP, HELP_COMMAND, USER_ID};
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::io::AsyncBufReadExt;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

use e2e::{Function, DEMO_PHONE};
use shared::config::{ApiConfig, NotifierConfig, WebhookConfig};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    if std::env::var_os("RUST_LOG").is_none() {
        // Quiet by default: the terminal is the chat.
        tracing_subscriber::fmt().with_env_filter("warn").with_target(false).init();
    } else {
        shared::observability::init_logging();
    }
    let real_token = std::env::var("TELEGRAM_BOT_TOKEN").ok().filter(|t| !t.trim().is_empty());
    println!("Starting DynamoDB Local and the S3 server…");
    let root = workspace_root();
    let stack = LocalStack::start(Persistence::Folder(root.join(".local/dynamodb")))?;
    let resources = stack.create_resources("local-").await?;

    let (token, api_url, fake) = match &real_token {
        Some(token) => {
            let url = std::env::var("TELEGRAM_API_URL").unwrap_or_else(|_| "https://api.telegram.org".into());
            (token.clone(), url, None)
        }
        None => {
            let fake = FakeTelegram::start(e2e::BOT_TOKEN).await;
            (e2e::BOT_TOKEN.to_owned(), fake.url.clone(), Some(fake))
        }
    };
    // Each function gets its own variables, as in AWS; the shell may override the settings.
    let env_of = |function| {
        let mut env = e2e::function_env(function, &resources, &api_url);
        if env.contains_key("TELEGRAM_BOT_TOKEN") {
            env.insert("TELEGRAM_BOT_TOKEN", token.clone());
        }
        for name in ["SUPPORT_PHONE", "SERVICE_DESK_URL", "DEFAULT_PHONE_REGION", "TIMEZONE", "API_TOKEN"] {
            if let (true, Ok(value)) = (env.contains_key(name), std::env::var(name)) {
                env.insert(name, value);
            }
        }
        env
    };
    let (webhook_env, api_env) = (env_of(Function::Webhook), env_of(Function::Api));
    let webhook_config = WebhookConfig::from_lookup(|name| webhook_env.get(name).cloned())?;
    let api_config = ApiConfig::from_lookup(|name| api_env.get(name).cloned())?;
    let notifier_env = env_of(Function::Notifier);
    let notifier_config = NotifierConfig::from_lookup(|name| notifier_env.get(name).cloned())?;
    let webhook = Arc::new(webhook::Webhook::new(
        &webhook_config,
        stack.dynamodb_as(Function::Webhook.access_key()),
        stack.s3_as(Function::Webhook.access_key()),
    ));
    let api = Arc::new(api::StaffApi::new(
        &api_config,
        stack.dynamodb_as(Function::Api.access_key()),
        stack.s3_as(Function::Api.access_key()),
    ));

    if e2e::seed_demo_directory(&api).await? {
        println!("Seeded a demo directory: client «ООО «Демо»», contact Анна Демидова, phone {}.", e2e::DEMO_PHONE);
    }

    let webhook_port = port("LOCAL_WEBHOOK_PORT", 3000);
    let api_port = port("LOCAL_API_PORT", 3001);
    e2e::serve(webhook_port, {
        let webhook = webhook.clone();
        move |request| {
            let webhook = webhook.clone();
            async move { webhook.handler(request).await }
        }
    })
    .await?;
    e2e::serve(api_port, {
        let api = api.clone();
        move |request| {
            let api = api.clone();
            async move { api.handler(request).await }
        }
    })
    .await?;

    let tickets_table = resources.table("TicketsTable");
    let mut stream = e2e::stream::StreamPoller::new(&stack, &tickets_table, false).await?;
    let notifier = notifier::Notifier::new(
        &notifier_config,
        stack.dynamodb_as(Function::Notifier.access_key()),
        stack.s3_as(Function::Notifier.access_key()),
    )?;
    tokio::spawn(async move {
        loop {
            match stream.poll().await {
                Ok(records) if !records.is_empty() => match e2e::stream::lambda_event(records) {
                    Ok(event) => {
                        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
                        let response = notifier.handle(event, deadline).await;
                        if !response.batch_item_failures.is_empty() {
                            eprintln!("notifier reported failures: {:?}", response.batch_item_failures);
                        }
                    }
                    Err(error) => eprintln!("stream records did not parse: {error}"),
                },
                Ok(_) => {}
                Err(error) => eprintln!("stream poll failed: {error}"),
            }
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
    });

    println!();
    println!(
        "Webhook:    http://127.0.0.1:{webhook_port}/  (header X-Telegram-Bot-Api-Secret-Token: {})",
        webhook_env["TELEGRAM_SECRET_TOKEN"]
    );
    println!("Staff API:  http://127.0.0.1:{api_port}/  (header Authorization: Bearer {})", api_env["API_TOKEN"]);
    println!(
        "  e.g. curl -H 'Authorization: Bearer {}' http://127.0.0.1:{api_port}/contacts/demo-anna",
        api_env["API_TOKEN"]
    );
    println!();

    let poller = tokio::spawn(long_poll(api_url.clone(), token.clone(), webhook.clone()));
    match fake {
        Some(fake) => chat(fake).await?,
        None => {
            println!("Serving real Telegram by long polling. Write to your bot; the demo phone is {DEMO_PHONE}.");
            println!("(If the bot has a webhook set, getUpdates is refused: remove it with deleteWebhook first.)");
            tokio::signal::ctrl_c().await?;
        }
    }
    poller.abort();
    Ok(())
}

fn port(name: &str, default: u16) -> u16 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// getUpdates → the webhook's own handler → the method it answers, carried out like Telegram would.
async fn long_poll(api_url: String, token: String, webhook: Arc<webhook::Webhook>) {
    let http = reqwest::Client::new();
    let base = format!("{}/bot{token}", api_url.trim_end_matches('/'));
    let mut offset: i64 = 0;
    loop {
        let request = json!({"offset": offset, "timeout": 25, "allowed_updates": shared::telegram::allowed_updates()});
        let updates = match http.post(format!("{base}/getUpdates")).json(&request).send().await {
            Ok(response) => response.json::<Value>().await.unwrap_or(Value::Null),
            Err(error) => {
                eprintln!("getUpdates failed: {}", error.without_url());
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                continue;
            }
        };
        let Some(list) = updates["result"].as_array() else {
            eprintln!("getUpdates refused: {}", updates["description"]);
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            continue;
        };
        for update in list {
            offset = offset.max(update["update_id"].as_i64().unwrap_or(0) + 1);
            let body = serde_json::to_vec(update).unwrap_or_default();
            let answer = webhook.answer_update(&body, chrono::Utc::now()).await;
            if let Some(call) = answer.body.filter(|b| b.get("method").is_some()) {
                let method = call["method"].as_str().unwrap_or_default().to_owned();
                if let Err(error) = http.post(format!("{base}/{method}")).json(&call).send().await {
                    eprintln!("{method} failed: {}", error.without_url());
                }
            }
        }
    }
}

/// The terminal chat: your lines become updates; the bot's messages are drawn as they arrive.
async fn chat(telegram: FakeTelegram) -> Result<(), BoxError> {
    println!("💬 Chat simulator — you are a client in Telegram (user id {USER_ID}).");
    println!("   {HELP}");
    println!("   Try: /start, then /contact {DEMO_PHONE}; write a request; /as manager to take it from its");
    println!("   notice, /reply to answer the client, ✅ to finish; /as client to rate it.");
    let simulator = Arc::new(tokio::sync::Mutex::new(Simulator::default()));
    let printer = {
        let telegram = telegram.clone();
        let simulator = simulator.clone();
        tokio::spawn(async move {
            let mut shown = 0;
            loop {
                let calls = telegram.wait_for_calls(shown + 1, std::time::Duration::from_secs(3600)).await;
                for call in &calls[shown..] {
                    if let Some(text) = simulator.lock().await.render(call) {
                        print!("{text}");
                    }
                }
                shown = calls.len();
            }
        })
    };
    // The demo desk's employees link first, so they hear of what the client does.
    for update in simulator.lock().await.staff_links() {
        telegram.push_update(update);
    }
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Some(line) = lines.next_line().await? {
        if line.trim() == HELP_COMMAND {
            println!("{HELP}");
            continue;
        }
        let update = simulator.lock().await.update_for(&line, &telegram);
        match update {
            Ok(update) => telegram.push_update(update),
            Err(message) => println!("{message}"),
        }
    }
    // Standard input closed (not a terminal): keep serving until Ctrl-C.
    tokio::signal::ctrl_c().await?;
    printer.abort();
    Ok(())
}
