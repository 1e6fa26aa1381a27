//! Every sample event in events/ goes through its real handler (the same files `make invoke`,
//! `sam local invoke -e` and `cargo lambda invoke --data-file` take), and the events cover every
//! flow: each update kind and message content the parser reads, each button prefix, each
//! command, each operation of openapi.yaml and each kind of change the notifier tells someone of
//! ([`the_events_cover_every_flow`]). The events are written by `scripts/make-events.py`.

use e2e::{updates, TestEnv};
use serde_json::Value;
use shared::texts;
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

/// The flow an event shows: its name without its number (`07-button-attach` → `button-attach`).
fn flow(path: &std::path::Path) -> String {
    let name = name(path);
    name.split_once('-').map_or(name.clone(), |(_, flow)| flow.to_owned())
}

fn json(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What an HTTP event carries: the Telegram update of a webhook event.
fn body(event: &Value) -> Option<Value> {
    serde_json::from_str(event["body"].as_str()?).ok()
}

/// An OpenAPI path template (`/tickets/{id}/comments`) matches a request's path.
fn matches(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template.iter().zip(&path).all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
}

/// `events/` is what `scripts/make-events.py` writes now (an edit by hand, or a generator change
/// not run, would teach newcomers something no longer generated).
#[test]
fn the_events_are_what_the_generator_writes() {
    let root = e2e::localstack::workspace_root();
    let scratch = std::env::temp_dir().join(format!("make-events-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let status = std::process::Command::new("python3")
        .arg(root.join("scripts/make-events.py"))
        .current_dir(&scratch)
        .status()
        .expect("python3 runs the generator");
    assert!(status.success(), "scripts/make-events.py failed");
    for kind in ["webhook", "api", "stream"] {
        let names = |dir: &std::path::Path| {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let (generated, committed) = (scratch.join("events").join(kind), root.join("events").join(kind));
        assert_eq!(names(&generated), names(&committed), "events/{kind}: run `make events`");
        for name in names(&committed) {
            let read = |dir: &std::path::Path| std::fs::read_to_string(dir.join(&name)).unwrap();
            assert!(read(&generated) == read(&committed), "events/{kind}/{name} differs: run `make events`");
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
}

#[test]
fn the_events_cover_every_flow() {
    let mut missing = vec![];
    let updates: Vec<Value> = files("webhook").iter().filter_map(|path| body(&json(path))).collect();
    for kind in shared::inbound::UPDATE_KINDS {
        if !updates.iter().any(|update| update.get(kind).is_some()) {
            missing.push(format!("an update of kind `{kind}`"));
        }
    }
    let messages: Vec<&Value> = updates.iter().filter_map(|update| update.get("message")).collect();
    for content in shared::inbound::MESSAGE_CONTENTS {
        if !messages.iter().any(|message| message.get(content).is_some()) {
            missing.push(format!("a message with `{content}`"));
        }
    }
    let pressed: Vec<&str> = updates.iter().filter_map(|update| update["callback_query"]["data"].as_str()).collect();
    for prefix in shared::dialogue::button_prefixes() {
        if !pressed.iter().any(|data| data.starts_with(&prefix)) {
            missing.push(format!("a press of a `{prefix}` button"));
        }
    }
    let texts: Vec<&str> = messages.iter().filter_map(|message| message["text"].as_str()).collect();
    for command in shared::dialogue::Command::ALL {
        let command = format!("/{}", command.name());
        if !texts.iter().any(|text| text.split_whitespace().next() == Some(command.as_str())) {
            missing.push(format!("the command {command}"));
        }
    }
    let requests: Vec<(String, String)> = files("api")
        .iter()
        .map(|path| json(path))
        .map(|event| {
            let http = &event["requestContext"]["http"];
            (
                http["method"].as_str().unwrap_or_default().to_owned(),
                http["path"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let document: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(e2e::localstack::workspace_root().join("openapi.yaml")).unwrap())
            .unwrap();
    for (template, operations) in document["paths"].as_mapping().expect("openapi.yaml has paths") {
        let template = template.as_str().unwrap_or_default();
        for method in ["get", "put", "post", "patch", "delete"] {
            let Some(operation) = operations.get(method) else { continue };
            let method = method.to_ascii_uppercase();
            if !requests.iter().any(|(m, path)| *m == method && matches(template, path)) {
                let id = operation["operationId"].as_str().unwrap_or_default();
                missing.push(format!("the API operation {method} {template} ({id})"));
            }
        }
    }
    let mut changes = std::collections::BTreeSet::new();
    for path in files("stream") {
        let event: aws_lambda_events::dynamodb::Event = serde_json::from_value(json(&path)).unwrap();
        changes.extend(event.records.iter().map(|record| notifier::to_record(record).change.kind()));
    }
    for kind in shared::notify::Change::NOTIFIED {
        if !changes.contains(kind) {
            missing.push(format!("a stream record of a change of kind `{kind}`"));
        }
    }
    assert!(
        missing.is_empty(),
        "flows without a sample event (add one to scripts/make-events.py and run it): {missing:#?}"
    );
}

async fn demo() -> TestEnv {
    let env = TestEnv::new().await;
    assert!(e2e::seed_demo_directory(&env.api).await.unwrap());
    e2e::register_demo_files(&env.telegram);
    e2e::seed_demo_notice(&env.store()).await.unwrap();
    env
}

/// What the bot says in answer to a webhook event, by the event's flow: the text (a template
/// of `texts`, `{id}` filled with 1) up to its first other placeholder.
fn promised(flow: &str) -> Option<String> {
    let template = match flow {
        "menu-call-me-already-standing" => texts::CALL_ME_STANDING.ru,
        "start-deep-link-ticket-1" | "button-status-card" => texts::TICKET_CARD.ru,
        "command-language" => texts::LANGUAGE_PROMPT.ru,
        "button-language-english" => texts::LANGUAGE_CHOSEN.en,
        "button-language-russian" => texts::LANGUAGE_CHOSEN.ru,
        flow if flow.starts_with("reply-") && flow.ends_with("-is-comment") => texts::COMMENT_ADDED.ru,
        "comment-text" => texts::COMMENT_ADDED.ru,
        "edited-message-too-late" => texts::EDIT_TOO_LATE.ru,
        "engineer-help" => texts::EMPLOYEE_HELP.ru,
        "engineer-command-tickets-none-yet" => texts::NO_ASSIGNED_TICKETS.ru,
        "engineer-button-take-ticket-1" => texts::STAFF_TAKEN.ru,
        "engineer-command-tickets" => texts::CHOOSE_ASSIGNED_TICKET.ru,
        "engineer-reply-to-notice-is-comment" => texts::STAFF_COMMENT_ADDED.ru,
        "engineer-reply-with-exclamation-is-note" => texts::STAFF_NOTE_ADDED.ru,
        "engineer-button-done-ticket-1" => texts::STAFF_DONE.ru,
        "engineer-button-start-stale" => texts::STAFF_STALE.ru,
        "button-rate-ticket-1" => texts::RATING_THANKS.ru,
        "command-unlink" | "command-unlink-again" => texts::UNLINK_CONFIRM.ru,
        "button-unlink-no" => texts::UNLINK_KEPT.ru,
        "button-unlink-yes" => texts::UNLINKED.ru,
        _ => return None,
    };
    let filled = texts::fill(template, &[("id", "1")]);
    Some(filled.split('{').next().unwrap_or_default().to_owned())
}

/// Every text the bot sent or answered with since the fake Telegram was last cleared.
fn said(env: &TestEnv) -> Vec<String> {
    env.telegram
        .calls()
        .iter()
        .flat_map(|call| ["text", "caption"].map(|field| call.params[field].as_str().map(str::to_owned)))
        .flatten()
        .collect()
}

#[tokio::test]
async fn every_webhook_event_is_handled() {
    let env = demo().await;
    for path in files("webhook") {
        env.telegram.clear();
        let event = std::fs::read_to_string(&path).unwrap();
        let response = env
            .invoke_http_event(e2e::Function::Webhook, &event)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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
        if let Some(promised) = promised(&flow(&path)) {
            let said = said(&env);
            assert!(said.iter().any(|s| s.contains(&promised)), "{}: said {said:#?}", path.display());
        }
    }
    // What the chat did: registered, made tickets from text, a photo, a document and an album,
    // commented in every way, cancelled #2 once, asked for a call back once; the engineer took
    // #1, answered, noted and finished it; the client rated it and unlinked.
    let (_, anna) = env.api("GET", "/contacts/demo-anna", None).await;
    assert_eq!(anna["telegram_linked"], false, "unlinked at the end");
    let tickets = env.tickets_of("demo-anna").await;
    assert!(tickets.len() >= 3, "{tickets:?}");
    let first = env.ticket(1).await;
    assert!(first.ticket.subject.starts_with("Не работает почта"));
    assert_eq!(first.ticket.status, shared::domain::TicketStatus::Done);
    assert_eq!(first.ticket.assignee_id.as_deref(), Some("demo-engineer"));
    assert_eq!(first.ticket.rating.map(|r| r.score), Some(5));
    let comments: Vec<(&str, bool)> = first.comments.iter().map(|c| (c.text.as_str(), c.internal)).collect();
    for (text, internal) in [
        ("Перезагрузка не помогла", false),
        ("Письма так и не уходят", false),
        ("📍 55.751244, 37.618423", false),
        ("Офис на Тверской", false),
        ("👤 Иван Петров, +79005554433", false),
        ("Так мигает индикатор", false),
        ("Проверьте, пожалуйста, сейчас", false),
        ("клиент путает пароли", true),
    ] {
        assert!(comments.iter().any(|(t, i)| t.contains(text) && *i == internal), "{text}: {comments:#?}");
    }
    let files_of_replies = first.attachments.iter().filter(|a| a.comment_id.is_some()).count();
    assert!(files_of_replies >= 5, "a GIF, a voice, an audio, a video and a video note: {:#?}", first.attachments);
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
    // The call-back request the API events close: the one the webhook story's update 27 makes.
    env.registered_contact(100500).await;
    env.deliver(&updates::text(27, 100500, texts::BTN_CALL_ME.ru)).await;
    for path in files("api") {
        let event = std::fs::read_to_string(&path).unwrap();
        let response = env
            .invoke_http_event(e2e::Function::Api, &event)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let expected = match flow(&path).as_str() {
            "put-contact" | "post-ticket" | "post-public-comment" | "post-internal-comment" | "post-upload" => 201,
            "wrong-token" => 401,
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
        assert_eq!(env.notify(event).await, Vec::<String>::new(), "{}", path.display());
        let (anna, manager, engineer) = (
            env.telegram.texts_to(100500).len(),
            env.telegram.texts_to(100501).len(),
            env.telegram.texts_to(100502).len(),
        );
        let expected = match flow(&path).as_str() {
            "ticket-created-by-email" => (1, 1, 0),
            "ticket-created-in-bot-vip" => (0, 1, 0),
            "status-changed"
            | "assignee-set"
            | "deadline-set"
            | "deadline-cleared"
            | "several-fields-in-one-write"
            | "public-staff-comment"
            | "public-staff-comment-with-files" => (1, 0, 0),
            // The done notice, then the request to rate.
            "completed" => (2, 0, 0),
            "client-comment" | "cancelled-by-client" => (0, 0, 1),
            "callback-request" => (0, 1, 0),
            // The assignee and the manager hear of a low score.
            "low-rating" => (0, 1, 1),
            _ => (0, 0, 0),
        };
        let calls = env.telegram.calls();
        let files_to = |chat: i64| {
            let file = |call: &&e2e::fake_telegram::Call| {
                matches!(call.method.as_str(), "sendPhoto" | "sendDocument" | "sendMediaGroup")
            };
            calls.iter().filter(|call| call.delivered && call.params["chat_id"] == chat).filter(file).count()
        };
        let files_expected = match flow(&path).as_str() {
            // The client gets the comment's photo and document.
            "public-staff-comment-with-files" => (1, 0, 0),
            // The album's later photo follows the ticket's notices: to the client and the VIP manager.
            "album-part-files-added" => (1, 1, 0),
            _ => (0, 0, 0),
        };
        let files = (files_to(100500) > 0, files_to(100501) > 0, files_to(100502) > 0);
        let files_expected = (files_expected.0 > 0, files_expected.1 > 0, files_expected.2 > 0);
        assert_eq!(files, files_expected, "who got files: {}: {calls:#?}", path.display());
        assert_eq!((anna, manager, engineer), expected, "{}", path.display());
    }
}
