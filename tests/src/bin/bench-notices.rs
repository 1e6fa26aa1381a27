//! `make bench-notices`: how fast the notifier fans notices out against Telegram's flood limits.
//!
//! The local stack (DynamoDB Local, moto's S3), the staff API and the webhook make the changes;
//! the TicketsTable stream's records go, in batches of the template's `BatchSize`, one batch
//! after another (one shard), to the notifier's own handler (build it `--release`), whose Bot
//! API is the fake Telegram enforcing the limits: 30 messages a second in all, 3 to one chat
//! in any 3 seconds, 429 with `retry_after` beyond them; each call answered after `LATENCY_MS`
//! (default 60: Telegram's round trip from a Lambda region, where the loopback's would hide
//! what sending one message after another costs).
//!
//! 1. a fan-out: N clients' tickets marked done at once (each client: the completion notice and
//!    the request to rate);
//! 2. a burst to one chat: M tickets of one VIP client in a row (its manager hears of each).
//!
//! For each it prints the messages, how long they took, what the limits allow (the messages
//! over 30 a second, or the most to one chat at one a second, whichever is longer), the ratio,
//! the 429s, the notifier's DynamoDB requests per notice, and what was kept for replay.
//!
//!     cargo run --release -p e2e --bin bench-notices -- [N clients] [M tickets]

use e2e::{updates, Function, RequestCounter, TestEnv};
use serde_json::json;
use std::time::{Duration, Instant};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The notifier's `BatchSize` in template.yaml.
fn batch_size() -> Result<usize, BoxError> {
    let text = std::fs::read_to_string(e2e::localstack::workspace_root().join("template.yaml"))?;
    let template: serde_yaml::Value = serde_yaml::from_str(&text)?;
    let events = &template["Resources"]["NotifierFunction"]["Properties"]["Events"];
    let size =
        events.as_mapping().into_iter().flatten().find_map(|(_, event)| event["Properties"]["BatchSize"].as_u64());
    Ok(usize::try_from(size.ok_or("no BatchSize on the notifier's stream")?)?)
}

async fn ok(env: &TestEnv, method: &str, path: &str, body: serde_json::Value) -> Result<serde_json::Value, BoxError> {
    let (status, answer) = env.api(method, path, Some(body)).await;
    if status >= 300 {
        return Err(format!("{method} {path}: {status} {answer}").into());
    }
    Ok(answer)
}

struct Run {
    messages: usize,
    most_to_one_chat: usize,
    took: Duration,
    refused: u64,
    requests: u64,
    notices: usize,
    kept: usize,
    handed_back: usize,
}

impl Run {
    fn print(&self, name: &str) {
        let allowed = (self.messages as f64 / 30.0).max(self.most_to_one_chat as f64);
        let took = self.took.as_secs_f64();
        println!(
            "{name}: {} messages in {took:.2} s ({:.1} a second); the flood limits allow {allowed:.1} s: {:.2}x; \
             429s {}; {:.1} DynamoDB requests a notice ({} for {} notices); kept for replay {}; records handed back {}",
            self.messages,
            self.messages as f64 / took,
            took / allowed,
            self.refused,
            self.requests as f64 / self.notices.max(1) as f64,
            self.requests,
            self.notices,
            self.kept,
            self.handed_back,
        );
    }
}

/// Everything new on the stream, through a notifier counting its DynamoDB requests, a batch of
/// the template's size after another.
async fn notify_all(env: &TestEnv, chats: &[i64]) -> Result<Run, BoxError> {
    let records = env.stream_batch().await.records;
    let counter = RequestCounter::default();
    let dynamodb = Function::Notifier.dynamodb().config().to_builder().interceptor(counter.clone()).build();
    let messenger = shared::telegram::TelegramMessenger::with_timeouts(
        &env.telegram.url,
        e2e::BOT_TOKEN,
        shared::telegram::Timeouts::default(),
    )?;
    let notifier = notifier::Notifier::with_messenger(
        &env.notifier_config,
        aws_sdk_dynamodb::Client::from_conf(dynamodb),
        messenger,
    );
    let before: Vec<usize> = chats.iter().map(|chat| env.telegram.messages_to(*chat).len()).collect();
    let refused = env.telegram.flood_refusals();
    let started = Instant::now();
    let mut handed_back = 0;
    for batch in records.chunks(batch_size()?) {
        let mut event = aws_lambda_events::dynamodb::Event::default();
        event.records = batch.to_vec();
        let response = notifier.handle(event, Instant::now() + Duration::from_secs(60)).await;
        handed_back += response.batch_item_failures.len();
    }
    let took = started.elapsed();
    let sent: Vec<usize> =
        chats.iter().zip(before).map(|(chat, before)| env.telegram.messages_to(*chat).len() - before).collect();
    let messages = sent.iter().sum();
    Ok(Run {
        messages,
        most_to_one_chat: sent.iter().copied().max().unwrap_or(0),
        took,
        refused: env.telegram.flood_refusals() - refused,
        requests: counter.get(),
        notices: messages,
        kept: env.kept().await.len(),
        handed_back,
    })
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let clients: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(30);
    let burst: usize = std::env::args().nth(2).and_then(|n| n.parse().ok()).unwrap_or(20);
    let env = TestEnv::new().await;
    ok(&env, "PUT", "/employees/e1", json!({"name": "Ирина", "phone": "+7 999 000-00-01"})).await?;
    env.deliver(&updates::contact(1, 90_001, "79990000001", Some(90_001))).await;

    // 1. The fan-out: a ticket of each of N clients, then all of them done at once.
    let mut ids = vec![];
    let mut chats = vec![];
    for i in 1..=clients {
        ok(&env, "PUT", &format!("/clients/k{i}"), json!({"name": format!("Клиент {i}"), "manager_id": "e1"})).await?;
        let phone = format!("+7 900 100-{:02}-{:02}", i / 100, i % 100);
        let contact = json!({"name": format!("Контакт {i}"), "phone": phone, "client_id": format!("k{i}")});
        ok(&env, "PUT", &format!("/contacts/c{i}"), contact).await?;
        let user = 10_000 + i as u64;
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        env.deliver(&updates::contact(100 + i as u64, user, &digits, Some(user))).await;
        chats.push(user as i64);
        let ticket = json!({"contact_id": format!("c{i}"), "subject": "Не работает почта", "source": "email"});
        ids.push(ok(&env, "POST", "/tickets", ticket).await?["id"].as_u64().ok_or("a ticket id")?);
    }
    env.run_notifier().await; // the creation notices, before the limits are on
    env.telegram.enforce_flood_limits(30, 3, Duration::from_secs(3));
    let latency: u64 = std::env::var("LATENCY_MS").ok().and_then(|ms| ms.parse().ok()).unwrap_or(60);
    env.telegram.set_latency(Duration::from_millis(latency));
    println!("the fake Telegram answers each call after {latency} ms");
    for id in &ids {
        ok(&env, "PATCH", &format!("/tickets/{id}"), json!({"status": "done"})).await?;
    }
    notify_all(&env, &chats).await?.print(&format!("{clients} clients' tickets done at once"));

    // 2. The burst to one chat: M tickets of a VIP client in a row, each told to its manager.
    ok(&env, "PUT", "/clients/vip", json!({"name": "ООО VIP", "manager_id": "e1", "vip": true})).await?;
    ok(&env, "PUT", "/contacts/vip-1", json!({"name": "Вера", "phone": "+7 900 200-00-01", "client_id": "vip"}))
        .await?;
    for i in 0..burst {
        let ticket = json!({"contact_id": "vip-1", "subject": format!("Заявка {i}"), "source": "phone"});
        ok(&env, "POST", "/tickets", ticket).await?;
    }
    notify_all(&env, &[90_001]).await?.print(&format!("{burst} VIP tickets in a row to one manager"));
    Ok(())
}
