//! Ticket changes reach people, end to end: a change through the staff API (or the bot) →
//! the TicketsTable stream read from DynamoDB Local → the real notifier handler → the fake
//! Telegram.

use e2e::{updates, TestEnv, TEST_TIMEOUTS};
use serde_json::json;
use shared::domain::Person;
use shared::notify::{FailureReason, ReplayReport};
use shared::texts;
use std::time::Duration;

const ANNA: u64 = 5001; // contact c1 of the VIP client k1
const BORIS: u64 = 5002; // contact c2 of k1
const MANAGER: u64 = 7001; // employee e1, k1's manager
const PETR: u64 = 7002; // employee e2, an assignee

fn anna() -> Person {
    Person::Contact("c1".into())
}

fn boris() -> Person {
    Person::Contact("c2".into())
}

fn manager() -> Person {
    Person::Employee("e1".into())
}

async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    for (path, body) in [
        ("/employees/e1", json!({"name": "Ирина Менеджерова", "phone": "+7 999 111-22-33"})),
        ("/employees/e2", json!({"name": "Пётр <Инженер>", "phone": "+7 999 111-22-44"})),
        ("/clients/k1", json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": true})),
        ("/contacts/c1", json!({"name": "Анна", "phone": "+7 912 345-67-89", "client_id": "k1"})),
        ("/contacts/c2", json!({"name": "Борис", "phone": "+7 912 345-67-90", "client_id": "k1"})),
    ] {
        let (status, answer) = env.api("PUT", path, Some(body)).await;
        assert!(status == 200 || status == 201, "{path}: {answer}");
    }
    for (n, (user, phone)) in
        [(ANNA, "79123456789"), (BORIS, "79123456790"), (MANAGER, "79991112233"), (PETR, "79991112244")]
            .into_iter()
            .enumerate()
    {
        env.deliver(&updates::contact(900 + n as u64, user, phone, Some(user))).await;
    }
    env.run_notifier().await;
    env.telegram.clear();
    env
}

async fn new_ticket(env: &TestEnv, contact: &str, subject: &str) -> u64 {
    let (status, ticket) =
        env.api("POST", "/tickets", Some(json!({"contact_id": contact, "subject": subject, "source": "email"}))).await;
    assert_eq!(status, 201, "{ticket}");
    ticket["id"].as_u64().unwrap()
}

async fn patch(env: &TestEnv, id: u64, body: serde_json::Value) -> serde_json::Value {
    let (status, ticket) = env.api("PATCH", &format!("/tickets/{id}"), Some(body)).await;
    assert_eq!(status, 200, "{ticket}");
    ticket
}

fn link(id: u64) -> String {
    format!("{}/tickets/{id}", e2e::SERVICE_DESK_URL)
}

#[tokio::test]
async fn a_ticket_from_another_channel_is_announced_and_the_vip_manager_hears_of_it() {
    let env = world().await;
    let id = new_ticket(&env, "c1", "Письмо: не работает <почта> & календарь").await;
    env.run_notifier().await;
    let to_anna = env.telegram.messages_to(ANNA as i64);
    assert_eq!(to_anna.len(), 1);
    let text = to_anna[0].text().unwrap();
    assert!(text.contains(&format!("#{id}")));
    assert!(text.contains("&lt;почта&gt; &amp; календарь"), "escaped for HTML: {text}");
    assert!(text.contains(&link(id)));
    assert_eq!(to_anna[0].params["parse_mode"], "HTML");
    // A client's notice sets their menu (a message has one set of buttons; the link is in the text).
    assert_eq!(to_anna[0].reply_keyboard()[1], texts::BTN_STATUS.ru, "the active menu");
    let to_manager = env.telegram.messages_to(MANAGER as i64);
    // A staff notice: what the employee may do (take the unassigned ticket), «📋 Карточка», then
    // the link's button (https).
    let buttons = to_manager[0].inline_buttons();
    assert_eq!(buttons[0], (texts::BTN_TAKE.ru.to_owned(), format!("sf:take:{id}:1")));
    assert_eq!(buttons[1], (texts::BTN_CARD.ru.to_owned(), format!("cd:{id}")));
    assert_eq!(to_manager[0].params["reply_markup"]["inline_keyboard"][2][0]["url"], link(id), "https: a URL button");
    let to_manager = env.telegram.texts_to(MANAGER as i64);
    assert_eq!(to_manager.len(), 1);
    assert!(to_manager[0].contains("VIP") && to_manager[0].contains("Анна"));
    assert!(env.telegram.texts_to(BORIS as i64).is_empty());
}

#[tokio::test]
async fn the_bot_does_not_repeat_its_own_confirmation_but_the_vip_manager_hears() {
    let env = world().await;
    env.deliver(&updates::text(10, ANNA, "Не работает сканер")).await;
    let confirmations = env.telegram.texts_to(ANNA as i64).len();
    env.run_notifier().await;
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), confirmations, "no second «created» message");
    assert_eq!(env.telegram.texts_to(MANAGER as i64).len(), 1);
}

#[tokio::test]
async fn status_assignee_and_deadline_changes_each_reach_the_client() {
    let env = world().await;
    let id = new_ticket(&env, "c2", "Заменить картридж").await;
    env.run_notifier().await;
    env.telegram.clear();

    patch(&env, id, json!({"status": "in_progress", "by": "e1"})).await;
    env.run_notifier().await;
    patch(&env, id, json!({"assignee_id": "e2"})).await;
    env.run_notifier().await;
    patch(&env, id, json!({"deadline": "2026-11-28T15:00:00Z"})).await;
    env.run_notifier().await;
    patch(&env, id, json!({"deadline": null})).await;
    env.run_notifier().await;
    patch(&env, id, json!({"status": "done"})).await;
    env.run_notifier().await;

    let texts = env.telegram.texts_to(BORIS as i64);
    assert_eq!(texts.len(), 6, "five notices and the request to rate: {texts:#?}");
    assert!(texts[5].contains(texts::RATING_ASK.ru), "{}", texts[5]);
    assert!(texts[0].contains(&texts::fill(texts::NOTICE_STATUS.ru, &[("status", "В работе")])));
    assert!(texts[1].contains(&texts::fill(texts::NOTICE_ASSIGNEE.ru, &[("name", "Пётр &lt;Инженер&gt;")])));
    assert!(texts[2].contains("28.11.2026 18:00"), "Moscow time: {}", texts[2]);
    assert!(texts[3].contains(texts::NOTICE_DEADLINE_CLEARED.ru));
    assert!(texts[4].contains(&texts::fill(texts::NOTICE_DONE.ru, &[("status", "Выполнен")])));
    assert!(texts[..5].iter().all(|t| t.contains(&link(id))), "every notice links the ticket");
}

#[tokio::test]
async fn several_fields_changed_in_one_patch_make_one_message() {
    let env = world().await;
    let id = new_ticket(&env, "c2", "Настроить принтер").await;
    env.run_notifier().await;
    env.telegram.clear();
    let ticket =
        patch(&env, id, json!({"status": "waiting", "assignee_id": "e2", "deadline": "2026-12-01T09:30:00+03:00"}))
            .await;
    assert_eq!(ticket["status_name"], "Ожидает ответа");
    assert_eq!(ticket["assignee"], json!({"id": "e2", "name": "Пётр <Инженер>"}));
    assert_eq!(ticket["journal"].as_array().unwrap().len(), 4, "created + three changes");
    env.run_notifier().await;
    let texts = env.telegram.texts_to(BORIS as i64);
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("Ожидает ответа") && texts[0].contains("Пётр") && texts[0].contains("01.12.2026 09:30"));
}

#[tokio::test]
async fn public_staff_comments_reach_the_client_internal_ones_never() {
    let env = world().await;
    let id = new_ticket(&env, "c1", "Вопрос по счёту").await;
    env.run_notifier().await;
    env.telegram.clear();
    let path = format!("/tickets/{id}/comments");
    let (status, _) = env
        .api("POST", &path, Some(json!({"author_id": "e2", "text": "Клиент опять <не платит>", "internal": true})))
        .await;
    assert_eq!(status, 201);
    let (status, comment) = env
        .api("POST", &path, Some(json!({"author_id": "e2", "text": "Счёт отправлен повторно", "internal": false})))
        .await;
    assert_eq!(status, 201);
    assert_eq!(comment["author"], json!({"kind": "employee", "id": "e2", "name": "Пётр <Инженер>"}));
    env.run_notifier().await;
    let texts = env.telegram.texts_to(ANNA as i64);
    assert_eq!(texts.len(), 1, "{texts:#?}");
    assert!(texts[0].contains("Счёт отправлен повторно") && texts[0].contains("Пётр &lt;Инженер&gt;"));
    assert!(
        env.telegram.calls().iter().all(|c| !c.params.to_string().contains("не платит")),
        "an internal note never leaves"
    );
}

#[tokio::test]
async fn a_client_comment_in_the_bot_reaches_the_assignee_and_is_not_echoed() {
    let env = world().await;
    let id = new_ticket(&env, "c1", "Не печатает").await;
    patch(&env, id, json!({"assignee_id": "e2"})).await;
    env.run_notifier().await;
    env.telegram.clear();
    env.deliver(&updates::text(20, ANNA, "Уже и перезагружали")).await; // new or attach?
    let choice = env.telegram.messages_to(ANNA as i64).pop().unwrap().inline_buttons();
    env.deliver(&updates::callback(21, ANNA, &choice[1].1)).await;
    let list = env.telegram.messages_to(ANNA as i64).pop().unwrap().inline_buttons();
    env.deliver(&updates::callback(22, ANNA, &list[0].1)).await;
    let said_to_anna = env.telegram.texts_to(ANNA as i64).len();
    env.run_notifier().await;
    let to_petr = env.telegram.texts_to(PETR as i64);
    assert_eq!(to_petr.len(), 1);
    assert!(to_petr[0].contains("Уже и перезагружали") && to_petr[0].contains("Анна"));
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), said_to_anna, "no echo to the client");
}

#[tokio::test]
async fn a_blocked_client_does_not_stall_the_others_and_is_not_retried() {
    let env = world().await;
    let anna_ticket = new_ticket(&env, "c1", "Первая").await;
    let boris_ticket = new_ticket(&env, "c2", "Вторая").await;
    env.run_notifier().await;
    env.telegram.clear();
    env.telegram.block(ANNA as i64);
    patch(&env, anna_ticket, json!({"status": "in_progress"})).await;
    patch(&env, boris_ticket, json!({"status": "in_progress"})).await;
    env.run_notifier().await; // asserts no failed record
    assert_eq!(env.telegram.texts_to(BORIS as i64).len(), 1);
    assert!(env.telegram.messages_to(ANNA as i64).is_empty());
    let attempts_to_anna = env.telegram.attempts_to(ANNA as i64).len();
    assert_eq!(attempts_to_anna, 1, "one refused attempt");

    // Unreachable now: the next change does not even try.
    patch(&env, anna_ticket, json!({"status": "waiting"})).await;
    env.run_notifier().await;
    assert_eq!(env.telegram.attempts_to(ANNA as i64).len(), attempts_to_anna);

    // Anna writes to the bot again: reachable again.
    env.deliver(&updates::text(30, ANNA, texts::BTN_NEW_TICKET.ru)).await;
    env.telegram.clear();
    patch(&env, anna_ticket, json!({"status": "in_progress"})).await;
    env.run_notifier().await;
    assert_eq!(env.telegram.attempts_to(ANNA as i64).len(), 1, "a send was attempted again");
}

#[tokio::test]
async fn a_429_is_waited_out_when_it_fits() {
    let env = world().await;
    let id = new_ticket(&env, "c2", "Медленно работает 1С").await;
    env.run_notifier().await;
    env.telegram.clear();

    env.telegram.rate_limit(BORIS as i64, 1, 1);
    patch(&env, id, json!({"status": "in_progress"})).await;
    env.run_notifier().await;
    assert_eq!(env.telegram.texts_to(BORIS as i64).len(), 1, "sent after waiting a second");
    assert!(env.kept().await.is_empty());
}

#[tokio::test]
async fn a_429_longer_than_the_invocation_waits_what_fits_then_hands_the_record_back() {
    let env = world().await;
    let id = new_ticket(&env, "c2", "Медленно работает 1С").await;
    env.run_notifier().await;
    env.telegram.clear();

    env.telegram.rate_limit(BORIS as i64, 3600, 1);
    patch(&env, id, json!({"status": "waiting"})).await;
    let batch = env.stream_batch().await;
    let record = batch.records[0].clone();
    // The reserve is one call timeout and the time to keep (2 + 5 s): 3 of 10 s are waited.
    let (failed, took) = env.notify_with(&env.notifier, batch.clone(), Duration::from_secs(10)).await;
    assert_eq!(failed, [record.change.sequence_number.clone().unwrap()], "the record is handed back");
    assert!(took >= Duration::from_secs(3) && took < Duration::from_secs(5), "waited what fits: {took:?}");
    assert_eq!(env.telegram.attempts_to(BORIS as i64).len(), 1, "not tried again within the limit");
    assert!(!env.marked_sent(&record.event_id, &boris()).await);
    let kept = env.kept().await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].reason, FailureReason::RateLimited);
    assert!(kept[0].notice.html.contains("Ожидает ответа"));

    // The Lambda service retries the batch; the limit has passed by then.
    assert!(env.notify(batch).await.is_empty());
    assert_eq!(env.telegram.texts_to(BORIS as i64).len(), 1, "delivered once");
    assert!(env.marked_sent(&record.event_id, &boris()).await);
    assert!(env.kept().await.is_empty(), "the kept copy is forgotten");
}

#[tokio::test]
async fn a_silent_chat_ends_by_the_timeout_and_the_retry_delivers_once() {
    let env = world().await;
    env.telegram.hang(MANAGER as i64);
    new_ticket(&env, "c1", "Сервер молчит").await;
    let batch = env.stream_batch().await;
    let event_id = batch.records[0].event_id.clone();
    let (failed, took) = env.notify_with(&env.notifier, batch.clone(), Duration::from_secs(60)).await;
    assert_eq!(failed.len(), 1, "handed back");
    assert!(took >= TEST_TIMEOUTS.call && took < TEST_TIMEOUTS.call + Duration::from_secs(2), "{took:?}");
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), 1, "Анна was told before the silence");
    assert!(env.telegram.messages_to(MANAGER as i64).is_empty());
    assert!(env.marked_sent(&event_id, &anna()).await && !env.marked_sent(&event_id, &manager()).await);
    let kept = env.kept().await;
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].reason, kept[0].notice.user), (FailureReason::Timeout, MANAGER));

    env.telegram.stop_hanging(MANAGER as i64);
    assert!(env.notify(batch).await.is_empty());
    assert_eq!(env.telegram.texts_to(MANAGER as i64).len(), 1);
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), 1, "not again");
    assert!(env.kept().await.is_empty());
}

#[tokio::test]
async fn a_revoked_token_hands_the_batch_back_and_the_replay_delivers_it_with_the_new_one() {
    let env = world().await;
    let id = new_ticket(&env, "c1", "Токен отозван").await;
    patch(&env, id, json!({"status": "in_progress"})).await;
    let new_token = env.telegram.revoke_token();
    let batch = env.stream_batch().await;
    // The ticket, its change, and their journal entries (which tell nobody anything).
    let events: Vec<String> = batch.records.iter().map(|r| r.event_id.clone()).collect();
    let failed = env.notify(batch.clone()).await;
    assert_eq!(failed, [batch.records[0].change.sequence_number.clone().unwrap()]);
    assert!(env.telegram.messages_to(ANNA as i64).is_empty() && env.telegram.messages_to(MANAGER as i64).is_empty());
    for event_id in &events {
        assert!(!env.marked_sent(event_id, &anna()).await && !env.marked_sent(event_id, &manager()).await);
    }
    let kept = env.kept().await;
    assert_eq!(kept.len(), 3, "Анна and the manager of the first change, Анна of the one held back behind it");
    assert!(kept.iter().all(|k| k.reason == FailureReason::Unauthorized), "{kept:#?}");
    assert!(kept.iter().all(|k| !k.detail.contains(e2e::BOT_TOKEN)), "no token in what is kept");

    // The stream gives up; the new token is deployed and the kept notices replayed (by the
    // operator's `make replay`, with the operator's credentials: not the notifier's role).
    let deployed = e2e::notifier_at(&env.notifier_config, &env.telegram.url, &new_token);
    let messenger =
        shared::telegram::TelegramMessenger::with_timeouts(&env.telegram.url, &new_token, e2e::TEST_TIMEOUTS).unwrap();
    let operator = shared::notify::Courier {
        store: env.store(),
        messenger,
        reserve: shared::notify::reserve_for(e2e::TEST_TIMEOUTS.call),
        pacer: shared::notify::Pacer::default(),
    };
    let report = operator.replay(|| Duration::from_secs(600), chrono::Utc::now()).await.unwrap();
    assert_eq!(report, ReplayReport { delivered: 3, ..ReplayReport::default() });
    let to_anna = env.telegram.texts_to(ANNA as i64);
    assert_eq!(to_anna.len(), 2);
    assert!(to_anna[1].contains("В работе"), "in the order of the changes: {to_anna:#?}");
    assert_eq!(env.telegram.texts_to(MANAGER as i64).len(), 1);
    assert!(env.kept().await.is_empty());

    // A late retry of the batch sends nothing twice.
    assert!(env.notify_with(&deployed, batch, Duration::from_secs(60)).await.0.is_empty());
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), 2);
}

#[tokio::test]
async fn a_wrong_api_url_is_not_final_and_the_fixed_one_delivers_once() {
    let env = world().await;
    new_ticket(&env, "c2", "Не тот адрес").await;
    let batch = env.stream_batch().await;
    let misconfigured =
        e2e::notifier_at(&env.notifier_config, &format!("{}/telegram", env.telegram.url), e2e::BOT_TOKEN);
    let (failed, _) = env.notify_with(&misconfigured, batch.clone(), Duration::from_secs(60)).await;
    assert_eq!(failed.len(), 1);
    assert!(env.telegram.messages_to(BORIS as i64).is_empty());
    assert!(!env.marked_sent(&batch.records[0].event_id, &boris()).await);
    let kept = env.kept().await;
    assert_eq!(kept.len(), 2, "Борис, and the manager of the VIP client");
    assert!(kept.iter().all(|k| k.reason == FailureReason::WrongUrl), "{kept:#?}");

    assert!(env.notify(batch.clone()).await.is_empty(), "the URL is fixed by the next deploy");
    assert!(env.notify(batch).await.is_empty());
    assert_eq!(env.telegram.texts_to(BORIS as i64).len(), 1);
    assert_eq!(env.telegram.texts_to(MANAGER as i64).len(), 1);
    assert!(env.kept().await.is_empty());
}

#[tokio::test]
async fn a_chat_that_is_gone_is_final_and_not_marked_sent() {
    let env = world().await;
    env.telegram.delete_chat(ANNA as i64);
    new_ticket(&env, "c1", "Удалённый аккаунт").await;
    let batch = env.stream_batch().await;
    assert!(env.notify(batch.clone()).await.is_empty(), "final: nothing to retry");
    assert_eq!(env.telegram.attempts_to(ANNA as i64).len(), 1);
    assert_eq!(env.telegram.texts_to(MANAGER as i64).len(), 1, "the others still hear");
    assert!(!env.marked_sent(&batch.records[0].event_id, &anna()).await);
    assert!(env.kept().await.is_empty(), "nothing to replay");
}

/// Measures the longest invocation against a Telegram that accepts connections and never
/// answers, with the shipped timeouts and a full batch (25 records, as template.yaml's
/// BatchSize): the batch ends by the call timeout and keeps what it owes. The time is printed
/// (`cargo test -p e2e --test notifications silent -- --nocapture`), never asserted.
#[tokio::test]
async fn a_silent_telegram_holds_an_invocation_for_one_call_timeout() {
    let env = world().await;
    let id = new_ticket(&env, "c1", "Тишина").await;
    for n in 0..12 {
        let status = if n % 2 == 0 { "in_progress" } else { "waiting" };
        patch(&env, id, json!({"status": status})).await;
    }
    // Each write is two records (the ticket and its journal entry): the ticket, 12 changes.
    let mut batch = env.stream_batch().await;
    batch.records.truncate(25);
    env.telegram.go_silent();
    let shipped =
        notifier::Notifier::new(&env.notifier_config, e2e::Function::Notifier.dynamodb(), e2e::Function::Notifier.s3())
            .unwrap();
    let (failed, took) = env.notify_with(&shipped, batch, Duration::from_secs(60)).await;
    println!("a silent Telegram held a 60 s invocation of 25 records for {took:?}");
    assert_eq!(failed.len(), 1);
    assert_eq!(env.kept().await.len(), 14, "the new ticket owes two notices, each of its 12 changes one");
}

#[tokio::test]
async fn a_redelivered_batch_sends_nothing_twice() {
    let env = world().await;
    let id = new_ticket(&env, "c2", "Дубликаты").await;
    let batch = env.stream_batch().await;
    assert!(env.notify(batch.clone()).await.is_empty());
    assert!(env.notify(batch).await.is_empty());
    assert_eq!(env.telegram.texts_to(BORIS as i64).len(), 1);
    patch(&env, id, json!({"status": "closed"})).await;
    let batch = env.stream_batch().await;
    env.notify(batch.clone()).await;
    env.notify(batch).await;
    assert_eq!(env.telegram.texts_to(BORIS as i64).len(), 2);
}

#[tokio::test]
async fn a_comment_longer_than_a_message_is_split() {
    let env = world().await;
    let id = new_ticket(&env, "c2", "Логи").await;
    env.run_notifier().await;
    env.telegram.clear();
    let long = "строка лога\n".repeat(500); // 6000 characters
    let (status, _) =
        env.api("POST", &format!("/tickets/{id}/comments"), Some(json!({"author_id": "e2", "text": long}))).await;
    assert_eq!(status, 201);
    env.run_notifier().await;
    let texts = env.telegram.texts_to(BORIS as i64);
    assert_eq!(texts.len(), 2);
    assert!(texts.iter().all(|t| t.chars().count() <= 4096));
}

#[tokio::test]
async fn a_cancellation_in_the_bot_reaches_the_assignee_not_the_client() {
    let env = world().await;
    let id = new_ticket(&env, "c1", "Отменю сама").await;
    patch(&env, id, json!({"assignee_id": "e2"})).await;
    env.run_notifier().await;
    env.telegram.clear();
    env.deliver(&updates::text(40, ANNA, texts::BTN_CANCEL.ru)).await;
    let buttons = env.telegram.messages_to(ANNA as i64).pop().unwrap().inline_buttons();
    env.deliver(&updates::callback(41, ANNA, &buttons[0].1)).await;
    let said_to_anna = env.telegram.texts_to(ANNA as i64).len();
    env.run_notifier().await;
    let to_petr = env.telegram.texts_to(PETR as i64);
    assert_eq!(to_petr.len(), 1);
    assert!(to_petr[0].contains("отменил") && to_petr[0].contains(&format!("#{id}")));
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), said_to_anna, "no echo of her own cancellation");
}
