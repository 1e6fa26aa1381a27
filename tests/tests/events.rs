//! Every sample event in events/ goes through its real handler (the same files `make invoke`,
//! `sam local invoke -e` and `cargo lambda invoke --data-file` take).

use e2e::{updates, TestEnv};
use std::path::PathBuf;

fn files(kind: &str) -> Vec<PathBuf> {
    let dir = e2e::localstack::workspace_root().join("events").join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no events in {}", dir.display());
    files
}

fn name(path: &std::path::Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

async fn demo() -> TestEnv {
    let env = TestEnv::new().await;
    assert!(e2e::seed_demo_directory(&env.api).await.unwrap());
    e2e::register_demo_files(&env.telegram);
    env
}

#[tokio::test]
async fn every_webhook_event_is_handled() {
    let env = demo().await;
    for path in files("webhook") {
        let request = lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let response = env.webhook.handler(request).await.unwrap();
        let expected = match name(&path).as_str() {
            "90-wrong-secret" => 401,
            "91-not-an-update" => 400,
            _ => 200,
        };
        assert_eq!(response.status().as_u16(), expected, "{}", path.display());
        let body: &[u8] = response.body().as_ref();
        if let Ok(call) = serde_json::from_slice::<serde_json::Value>(body) {
            if call.get("method").is_some() {
                env.telegram.execute_webhook_response(&call);
            }
        }
    }
    // What the chat did: registered, made tickets from text, a photo, a document and an album,
    // commented, cancelled #2 once, asked for a call back.
    let (_, anna) = env.api("GET", "/contacts/demo-anna", None).await;
    assert_eq!(anna["telegram_linked"], true);
    let tickets = env.tickets_of("demo-anna").await;
    assert!(tickets.len() >= 3, "{tickets:?}");
    let first = env.ticket(1).await;
    assert!(first.ticket.subject.starts_with("Не работает почта"));
    assert!(first.comments.iter().any(|c| c.text == "Перезагрузка не помогла"));
    let second = env.ticket(2).await;
    assert_eq!(second.ticket.status, shared::domain::TicketStatus::Cancelled);
    assert_eq!(second.journal.iter().filter(|e| e.event == "cancelled").count(), 1);
    let album = tickets.iter().find(|t| t.subject == "Фото стойки").expect("the album's ticket");
    assert_eq!(env.ticket(album.id).await.attachments.len(), 2);
    let (_, requests) = env.api("GET", "/callback-requests", None).await;
    assert_eq!(requests["callback_requests"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_api_event_is_handled() {
    let env = demo().await;
    for path in files("api") {
        let request = lambda_http::request::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let response = env.api.handler(request).await.unwrap();
        let expected = match name(&path).as_str() {
            "03-put-contact" | "08-post-ticket" | "12-post-public-comment" | "13-post-internal-comment" => 201,
            "16-wrong-token" => 401,
            _ => 200,
        };
        let body = String::from_utf8_lossy(response.body().as_ref()).into_owned();
        assert_eq!(response.status().as_u16(), expected, "{}: {body}", path.display());
    }
}

#[tokio::test]
async fn every_stream_event_is_handled_and_notifies_whom_it_should() {
    let env = demo().await;
    // Anna, her manager and the engineer use Telegram; ticket #1 exists for the comment events.
    for (n, (user, phone)) in
        [(100500u64, "79001234567"), (100501, "79000000001"), (100502, "79000000002")].into_iter().enumerate()
    {
        env.deliver(&updates::contact(n as u64 + 1, user, phone, Some(user))).await;
    }
    let (status, _) = env
        .api("POST", "/tickets", Some(serde_json::json!({"contact_id": "demo-anna", "subject": "Не работает почта", "source": "email", "assignee_id": "demo-engineer"})))
        .await;
    assert_eq!(status, 201);
    for path in files("stream") {
        env.telegram.clear();
        let event: aws_lambda_events::dynamodb::Event = serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let response = env.notifier.handle(event, deadline).await;
        assert!(response.batch_item_failures.is_empty(), "{}", path.display());
        let (anna, manager, engineer) = (
            env.telegram.texts_to(100500).len(),
            env.telegram.texts_to(100501).len(),
            env.telegram.texts_to(100502).len(),
        );
        let expected = match name(&path).as_str() {
            "01-ticket-created-by-email" => (1, 1, 0),
            "02-ticket-created-in-bot-vip" => (0, 1, 0),
            "03-status-changed"
            | "04-assignee-set"
            | "05-deadline-set"
            | "06-deadline-cleared"
            | "08-several-fields-in-one-write"
            | "09-public-staff-comment" => (1, 0, 0),
            // The done notice, then the request to rate.
            "07-completed" => (2, 0, 0),
            "11-client-comment" | "12-cancelled-by-client" => (0, 0, 1),
            "13-callback-request" => (0, 1, 0),
            _ => (0, 0, 0),
        };
        assert_eq!((anna, manager, engineer), expected, "{}", path.display());
    }
}
