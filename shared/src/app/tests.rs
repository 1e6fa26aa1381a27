//! `Bot::handle` on the in-memory store: redeliveries, lost races and storage failures.

use super::*;
use crate::dialogue::{Command, Event, Inbound};
use crate::domain::{Client, Contact, TelegramUserId};
use crate::ports::TicketFilter;
use crate::test_util::fixtures::settings;
use crate::test_util::memory::{Fault, InMemoryStore, Operation};
use crate::test_util::{FakeBucket, FakeMessenger};
use crate::texts;

const ANNA: TelegramUserId = 42;

fn update(update_id: u64, event: Event) -> Inbound {
    Inbound { update_id, user_id: ANNA, chat_id: ANNA as i64, event, language_code: None }
}

fn text(update_id: u64, body: &str) -> Inbound {
    update(update_id, Event::Message(Content { text: Some(body.into()), ..Content::default() }))
}

fn created(id: u64) -> String {
    texts::fill(texts::TICKET_CREATED.ru, &[("id", &id.to_string())])
}

fn reply_text(handled: &Handled) -> &str {
    match &handled.respond_with {
        Some(Reply::Text { text, .. }) => text,
        other => panic!("expected a text reply, got {other:?}"),
    }
}

/// A bot whose user Анна registered with her phone (contact c1 of client k1).
async fn registered() -> (Bot<InMemoryStore, FakeMessenger, FakeBucket>, InMemoryStore, FakeMessenger) {
    let store = InMemoryStore::new();
    let telegram = FakeMessenger::default();
    store
        .put_client(&Client { id: "k1".into(), name: "ООО Ромашка".into(), manager_id: None, vip: false })
        .await
        .unwrap();
    let contact = Contact {
        id: "c1".into(),
        name: "Анна".into(),
        phone: crate::phone::normalize("+7 912 345-67-89", "RU".parse().unwrap()).unwrap(),
        client_id: "k1".into(),
        active: true,
        telegram_user: None,
    };
    store.put_contact(&contact, None, Utc::now()).await.unwrap();
    let bot = Bot { store: store.clone(), messenger: telegram.clone(), files: FakeBucket, settings: settings() };
    let shared = Event::Contact { phone: "79123456789".into(), owner: Some(ANNA), card: Box::default() };
    let welcome = bot.handle(&update(1, shared), Utc::now()).await.unwrap();
    assert!(reply_text(&welcome).starts_with("Здравствуйте, Анна!"), "registered: {welcome:?}");
    store.reset_counts();
    (bot, store, telegram)
}

async fn tickets(store: &InMemoryStore) -> Vec<crate::domain::Ticket> {
    store.list_tickets(&TicketFilter::default(), None, crate::ports::PAGE_MAX).await.unwrap().items
}

#[tokio::test]
async fn a_text_becomes_a_ticket_in_four_requests() {
    let (bot, store, _) = registered().await;
    let handled = bot.handle(&text(2, "Не работает принтер"), Utc::now()).await.unwrap();
    // The user, the contact's tickets, the counter, one transaction.
    assert_eq!(store.round_trips(), 4);
    assert_eq!(reply_text(&handled), created(1));
    let stored = tickets(&store).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].subject, "Не работает принтер");
}

#[tokio::test]
async fn a_redelivered_update_changes_nothing_and_answers_as_the_first() {
    let (bot, store, telegram) = registered().await;
    let first = bot.handle(&text(2, "Не работает принтер"), Utc::now()).await.unwrap();
    let again = bot.handle(&text(2, "Не работает принтер"), Utc::now()).await.unwrap();
    // Our first answer may have been lost on the way: the confirmation is not.
    let confirmation = format!("{ANNA}: {:?}", first.respond_with.unwrap());
    assert_eq!(again, Handled { respond_with: None, duplicate: true, replayed: Some(confirmation) });
    assert_eq!(tickets(&store).await.len(), 1, "one ticket for one update");
    assert!(telegram.sent().is_empty(), "the one reply rode in the response");
}

#[tokio::test]
async fn a_commit_whose_answer_was_lost_is_confirmed_on_the_redelivery() {
    let (bot, store, _) = registered().await;
    store.fail_next(Operation::Commit, Fault::LostReply);
    let lost = bot.answer(&text(2, "Не работает принтер"), Utc::now()).await;
    assert!(matches!(lost, Verdict::Retry(_)), "{lost:?}");
    let Verdict::Done(again) = bot.answer(&text(2, "Не работает принтер"), Utc::now()).await else {
        panic!("the redelivery is answered");
    };
    assert!(again.duplicate);
    assert!(again.replayed.is_some_and(|r| r.contains("зарегистрировано с номером #1")), "the confirmation, once");
    assert_eq!(tickets(&store).await.len(), 1);
}

#[tokio::test]
async fn a_refused_write_is_answered_once_with_what_to_do() {
    let (bot, store, _) = registered().await;
    // As DynamoDB refuses a transaction over 100 items or an item over 400 KB, every time.
    store.fail_next(Operation::Commit, Fault::Rejected);
    let Verdict::GiveUp { error, reply } = bot.answer(&text(2, "Не работает принтер"), Utc::now()).await
    else {
        panic!("a refusal no retry can pass is answered, not retried");
    };
    assert!(matches!(error, AppError::Store(StoreError::Rejected(_))));
    assert_eq!(reply, Reply::Text { text: texts::UPDATE_TOO_LARGE.ru.into(), keyboard: Keyboard::Keep });
    assert!(tickets(&store).await.is_empty());
    assert_eq!(store.calls(Operation::CountFailedAttempt), 0, "no redelivery to count");
}

#[tokio::test]
async fn a_transient_failure_is_retried_twice_then_answered() {
    let (bot, store, _) = registered().await;
    store.fail_next_n(Operation::Commit, Fault::Unavailable, 3);
    let update = text(2, "Не работает принтер");
    assert!(matches!(bot.answer(&update, Utc::now()).await, Verdict::Retry(_)));
    assert!(matches!(bot.answer(&update, Utc::now()).await, Verdict::Retry(_)));
    let Verdict::GiveUp { reply, .. } = bot.answer(&update, Utc::now()).await else {
        panic!("the third failed delivery ends it");
    };
    let apology = texts::fill(texts::UPDATE_FAILED.ru, &[("support", "+7 800 555-35-35")]);
    assert_eq!(reply, Reply::Text { text: apology, keyboard: Keyboard::Keep });
    // Another update of the same client goes through as usual.
    assert!(matches!(bot.answer(&text(3, "Принтер"), Utc::now()).await, Verdict::Done(_)));
}

#[tokio::test]
async fn a_lost_race_is_decided_again() {
    let (bot, store, _) = registered().await;
    store.fail_next(Operation::Commit, Fault::Conflict);
    let handled = bot.handle(&text(2, "Не работает принтер"), Utc::now()).await.unwrap();
    assert_eq!(store.calls(Operation::Commit), 2, "decided and committed again");
    let stored = tickets(&store).await;
    assert_eq!(stored.len(), 1, "one ticket: {stored:?}");
    // The number the lost attempt took is a gap, never a second ticket.
    assert_eq!(reply_text(&handled), created(stored[0].id));
    assert_eq!(stored[0].id, 2);
}

#[tokio::test]
async fn a_storage_failure_commits_nothing_and_the_redelivery_finishes_the_work() {
    let (bot, store, telegram) = registered().await;
    store.fail_next(Operation::Commit, Fault::Unavailable);
    let failed = bot.handle(&text(2, "Не работает принтер"), Utc::now()).await;
    assert!(matches!(failed, Err(AppError::Store(StoreError::Unavailable(_)))), "{failed:?}");
    assert!(tickets(&store).await.is_empty());
    assert!(telegram.sent().is_empty(), "nothing said about work not done");

    let redelivered = bot.handle(&text(2, "Не работает принтер"), Utc::now()).await.unwrap();
    assert_eq!(tickets(&store).await.len(), 1);
    assert!(reply_text(&redelivered).starts_with("✔️ Ваше обращение зарегистрировано"));
}

#[tokio::test]
async fn endless_contention_ends_in_an_error_not_a_loop() {
    let (bot, store, _) = registered().await;
    store.fail_next_n(Operation::Commit, Fault::Conflict, MAX_ATTEMPTS);
    let failed = bot.handle(&text(2, "Не работает принтер"), Utc::now()).await;
    assert!(matches!(failed, Err(AppError::Contended(MAX_ATTEMPTS))), "{failed:?}");
    assert!(tickets(&store).await.is_empty());
}

#[tokio::test]
async fn a_read_only_update_writes_nothing() {
    let (bot, store, _) = registered().await;
    let menu = bot.handle(&update(2, Event::Command(Command::Start)), Utc::now()).await.unwrap();
    assert_eq!(reply_text(&menu), texts::MENU_PROMPT.ru);
    assert_eq!(store.calls(Operation::Commit), 0);
    // The user and the contact's tickets.
    assert_eq!(store.round_trips(), 2);
}
