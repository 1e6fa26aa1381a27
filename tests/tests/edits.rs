//! Corrections, end to end (the webhook, the staff API, the TicketsTable stream and the notifier
//! against DynamoDB Local and the fake Telegram): a client who edits a message that became a
//! ticket or a comment, within 48 hours, adds «✏️ Исправлено: …» to the ticket with a journal
//! entry, and the assignee hears of it; the original stays as it was. Other edits change nothing.

use e2e::{updates, TestEnv};
use serde_json::json;
use shared::dialogue::{Press, TicketList};
use shared::texts;

const ANNA: u64 = 5001; // contact c1 of k1
const BORIS: u64 = 5002; // contact c2 of k1
const ENGINEER: u64 = 7002; // employee e2

async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.registered_second_contact(BORIS).await;
    env.registered_engineer(ENGINEER).await;
    env.run_notifier().await;
    env.telegram.clear();
    env
}

/// Seconds since the epoch, `hours` ago.
fn hours_ago(hours: i64) -> i64 {
    (chrono::Utc::now() - chrono::Duration::hours(hours)).timestamp()
}

fn said_last(env: &TestEnv, user: u64) -> Option<String> {
    env.telegram.texts_to(user as i64).pop()
}

/// Анна writes `text` as message `update_id` (no active tickets: it becomes a ticket), staff
/// assign it to e2; the notices sent and forgotten. Returns the ticket's number.
async fn ticket_from_message(env: &TestEnv, update_id: u64, text: &str) -> u64 {
    env.deliver(&updates::text(update_id, ANNA, text)).await;
    let id = env.tickets_of("c1").await.first().expect("a ticket was made").id;
    let (status, _) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"assignee_id": "e2"}))).await;
    assert_eq!(status, 200);
    env.run_notifier().await;
    env.telegram.clear();
    id
}

/// A client fixing a typo three times within minutes makes one correction: one comment that
/// reads as the last edit, one notice to the assignee (each edit added a comment and a notice).
#[tokio::test]
async fn edits_of_one_message_minutes_apart_fold_into_one_correction_and_one_notice() {
    let env = world().await;
    let id = ticket_from_message(&env, 10, "Не печатает принтер на 2 этаже").await;
    env.deliver(&updates::edit(11, ANNA, 10, "Не печатает принтер на 3 этаже", hours_ago(1))).await;
    env.run_notifier().await;
    env.webhook_requests.reset();
    env.deliver(&updates::edit(12, ANNA, 10, "Не печатает принтер на 4 этаже", hours_ago(1))).await;
    assert_eq!(env.webhook_requests.get(), 4, "the user, the message's ticket, the ticket, one transaction");
    env.deliver(&updates::edit(13, ANNA, 10, "Не печатает принтер на 4 этаже, кабинет 410", hours_ago(1))).await;
    let added = texts::fill(texts::EDIT_ADDED.ru, &[("id", &id.to_string())]);
    assert_eq!(said_last(&env, ANNA), Some(added), "each edit is answered");
    assert_eq!(env.client_comments(id).await, ["✏️ Исправлено: Не печатает принтер на 4 этаже, кабинет 410"]);
    let details = env.ticket(id).await;
    let edited: Vec<_> = details.journal.iter().filter(|e| e.event == "edited").collect();
    assert_eq!(edited.len(), 3, "every edit journaled: {:?}", details.journal);
    env.run_notifier().await;
    let told = env.telegram.texts_to(ENGINEER as i64);
    assert_eq!(told.len(), 1, "one notice: {told:?}");
}

#[tokio::test]
async fn an_edit_of_the_message_that_became_a_ticket_is_a_correction_the_assignee_hears_of() {
    let env = world().await;
    let id = ticket_from_message(&env, 10, "Не печатает принтер на 2 этаже").await;

    env.webhook_requests.reset();
    env.deliver(&updates::edit(11, ANNA, 10, "Не печатает принтер на 3 этаже", hours_ago(1))).await;
    assert_eq!(env.webhook_requests.get(), 4, "the user, the message's ticket, the ticket, one transaction");
    let added = texts::fill(texts::EDIT_ADDED.ru, &[("id", &id.to_string())]);
    assert_eq!(said_last(&env, ANNA), Some(added));
    assert_eq!(env.client_comments(id).await, ["✏️ Исправлено: Не печатает принтер на 3 этаже"]);
    let details = env.ticket(id).await;
    assert_eq!(details.ticket.subject, "Не печатает принтер на 2 этаже", "the original stays as it was");
    let edited: Vec<_> = details.journal.iter().filter(|e| e.event == "edited").collect();
    assert_eq!(edited.len(), 1, "{:?}", details.journal);
    assert_eq!(edited[0].by, shared::domain::Actor::Client("c1".into()));

    let said_to_anna = env.telegram.texts_to(ANNA as i64).len();
    env.run_notifier().await;
    let told = env.telegram.texts_to(ENGINEER as i64);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("✏️ Исправлено: Не печатает принтер на 3 этаже"), "{}", told[0]);
    assert_eq!(env.telegram.texts_to(ANNA as i64).len(), said_to_anna, "Анна is not told of her own correction");

    // A reply to the bot's answer about the correction is a comment on the ticket.
    let answer = env.telegram.messages_to(ANNA as i64).pop().expect("the answer");
    let quoted = answer.text().unwrap_or_default().to_owned();
    let answered = answer.message_id.expect("a message the bot made");
    env.deliver(&updates::reply(12, ANNA, "И сканер тоже", answered, &quoted)).await;
    assert_eq!(env.client_comments(id).await, ["✏️ Исправлено: Не печатает принтер на 3 этаже", "И сканер тоже"]);

    // Telegram redelivers the edit: still one correction.
    env.deliver(&updates::edit(11, ANNA, 10, "Не печатает принтер на 3 этаже", hours_ago(1))).await;
    assert_eq!(env.client_comments(id).await.len(), 2, "the correction and the reply, once each");
}

#[tokio::test]
async fn an_edit_after_48_hours_is_answered_and_changes_nothing() {
    let env = world().await;
    let id = ticket_from_message(&env, 10, "Не работает почта").await;
    env.deliver(&updates::edit(11, ANNA, 10, "Не работает почта и календарь", hours_ago(49))).await;
    let too_late = texts::fill(texts::EDIT_TOO_LATE.ru, &[("id", &id.to_string())]);
    assert_eq!(said_last(&env, ANNA), Some(too_late));
    assert!(env.client_comments(id).await.is_empty());
}

#[tokio::test]
async fn edits_of_other_messages_or_from_another_chat_change_nothing_and_say_nothing() {
    let env = world().await;
    let id = ticket_from_message(&env, 10, "Не работает почта").await;
    // Борис edits a message of his with the id of Анна's that became her ticket.
    env.deliver(&updates::edit(20, BORIS, 10, "Чужая заявка", hours_ago(1))).await;
    // Анна edits her `/start`-like menu press, which became nothing.
    env.deliver(&updates::text(21, ANNA, texts::BTN_STATUS.ru)).await;
    env.telegram.clear();
    env.deliver(&updates::edit(22, ANNA, 21, "Что-то другое", hours_ago(1))).await;
    assert!(env.client_comments(id).await.is_empty());
    assert_eq!(env.telegram.texts_to(ANNA as i64), Vec::<String>::new());
    assert_eq!(env.telegram.texts_to(BORIS as i64), Vec::<String>::new());
}

#[tokio::test]
async fn a_message_that_waited_and_was_attached_is_corrected_on_the_ticket_it_joined() {
    let env = world().await;
    let id = ticket_from_message(&env, 10, "Не работает почта").await;
    // With a ticket active, a message waits for "new or attach?"; Анна attaches it.
    env.deliver(&updates::text(30, ANNA, "И календарь не открывается")).await;
    env.deliver(&updates::callback(31, ANNA, &Press::Attach.encode())).await;
    env.deliver(&updates::callback(32, ANNA, &Press::Pick(TicketList::Attach, id).encode())).await;
    assert_eq!(env.client_comments(id).await, ["И календарь не открывается"]);
    env.deliver(&updates::edit(33, ANNA, 30, "И контакты не открываются", hours_ago(0))).await;
    assert_eq!(
        env.client_comments(id).await,
        ["И календарь не открывается", "✏️ Исправлено: И контакты не открываются"]
    );
}

#[tokio::test]
async fn a_cancelled_tickets_message_takes_no_correction() {
    let env = world().await;
    let id = ticket_from_message(&env, 10, "Не работает почта").await;
    let (status, _) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "cancelled"}))).await;
    assert_eq!(status, 200);
    env.deliver(&updates::edit(11, ANNA, 10, "Не работает почта и календарь", hours_ago(1))).await;
    assert_eq!(said_last(&env, ANNA), Some(texts::fill(texts::EDIT_NOT_ADDED.ru, &[("id", &id.to_string())])));
    assert!(env.client_comments(id).await.is_empty());
}
