//! The dispatcher and the courier on the in-memory store, against a Telegram that fails as told:
//! each class of failure, what the recipients get, what is handed back, marked and kept, and
//! that the retry (or the replay) then delivers exactly once.

use super::*;
use crate::dialogue::{main_menu, ContactMatch, Effect, EmployeeMatch, Keyboard, Reply, State};
use crate::domain::{
    CallMeState, Client, Contact, Employee, Person, TelegramUserId, Ticket, TicketCounts, TicketStatus,
};
use crate::phone::Phone;
use crate::ports::{BoxError, CallMeRequests, Commit, Directory, FailedNotices, SendError, SentNotices, UserStore};
use crate::test_util::memory::{Fault, InMemoryStore, Operation};
use crate::test_util::FakeMessenger;
use crate::texts::Lang;
use chrono::Utc;
use std::collections::HashMap;
use std::time::Duration;

const ANNA: TelegramUserId = 5001;
const MANAGER: TelegramUserId = 7001;

struct World {
    store: InMemoryStore,
    telegram: FakeMessenger,
    dispatcher: Dispatcher<InMemoryStore, FakeMessenger>,
}

const RESERVE: Duration = Duration::from_secs(10);

/// A VIP client k1 managed by e1 (Telegram `MANAGER`), its contact c1 Анна (Telegram `ANNA`).
async fn world() -> World {
    let store = InMemoryStore::new();
    let phone = |e164: &str| Phone::from_e164(e164).unwrap();
    let manager = Employee {
        id: "e1".into(),
        name: "Ирина".into(),
        phone: Some(phone("+79991112233")),
        active: true,
        telegram_user: None,
    };
    store.put_employee(&manager, None).await.unwrap();
    let client =
        Client { id: "k1".into(), name: "ООО Ромашка".into(), manager_id: Some("e1".into()), vip: true };
    store.put_client(&client).await.unwrap();
    let anna = Contact {
        id: "c1".into(),
        name: "Анна".into(),
        phone: phone("+79123456789"),
        client_id: "k1".into(),
        active: true,
        telegram_user: None,
    };
    store.put_contact(&anna, None, Utc::now()).await.unwrap();
    let link_anna = Effect::LinkContact(ContactMatch {
        contact_id: "c1".into(),
        client_id: "k1".into(),
        client_name: String::new(),
        name: "Анна".into(),
        active: true,
        linked_user: None,
    });
    let link_manager = Effect::LinkEmployee(EmployeeMatch {
        employee_id: "e1".into(),
        name: "Ирина".into(),
        active: true,
        linked_user: None,
    });
    let telegram = FakeMessenger::default();
    let settings = NoticeSettings {
        service_desk_url: "https://desk.example.com".into(),
        timezone: crate::zone::Zone::named("Europe/Moscow").expect("a zone"),
        default_lang: Lang::Ru,
    };
    let courier =
        Courier { store: store.clone(), messenger: telegram.clone(), reserve: RESERVE, pacer: Default::default() };
    let world = World { store, telegram, dispatcher: Dispatcher { courier, settings } };
    for (update_id, user, effect) in [(1, ANNA, link_anna), (2, MANAGER, link_manager)] {
        world.commit_as(update_id, user, &[effect]).await;
    }
    world
}

fn ticket(status: TicketStatus) -> Ticket {
    let made = crate::test_util::fixtures::ticket(7, "c1", status, Utc::now());
    Ticket { subject: "Не работает почта".into(), source: "email".into(), ..made }
}

/// A ticket from another channel: Анна hears of it first, then the VIP client's manager.
fn created(event_id: &str, sequence: &str) -> Record {
    Record {
        event_id: event_id.into(),
        sequence: sequence.into(),
        change: Change::TicketCreated { ticket: ticket(TicketStatus::New), files: vec![] },
    }
}

/// The ticket taken into work: Анна hears of it.
fn taken(event_id: &str, sequence: &str) -> Record {
    let change = Change::TicketChanged {
        old: Box::new(ticket(TicketStatus::New)),
        new: Box::new(ticket(TicketStatus::InProgress)),
    };
    Record { event_id: event_id.into(), sequence: sequence.into(), change }
}

/// A public comment of the manager (e1) on ticket 7.
fn managers_comment(id: &str, text: &str) -> crate::domain::Comment {
    crate::domain::Comment {
        id: id.into(),
        ticket_id: 7,
        author_kind: crate::domain::AuthorKind::Employee,
        author_id: "e1".into(),
        author_name: "Ирина".into(),
        text: text.into(),
        internal: false,
        created_at: Utc::now(),
    }
}

fn anna_key(event_id: &str) -> String {
    notice_key(event_id, &Person::Contact("c1".into()))
}

fn manager_key(event_id: &str) -> String {
    notice_key(event_id, &Person::Employee("e1".into()))
}

/// A minute to spare.
fn minute() -> impl Fn() -> Duration {
    || Duration::from_secs(60)
}

impl World {
    /// Runs a batch; the notifier sends notices and nothing else.
    async fn run(&self, records: &[Record]) -> Option<String> {
        let failed = self.dispatcher.handle_batch(records, minute(), Utc::now()).await;
        let sent = self.telegram.sent();
        assert!(sent.iter().all(|r| matches!(r, Reply::Notice { .. })), "the notifier sends notices only: {sent:?}");
        failed
    }

    /// Commits `effects` as one update of `user`, at rest.
    async fn commit_as(&self, update_id: u64, user: TelegramUserId, effects: &[Effect]) {
        let before = self.store.load_user(user).await.unwrap();
        let commit = Commit {
            update_id,
            user_id: user,
            chat_id: user as i64,
            before: &before,
            state: &State::Idle,
            effects,
            now: Utc::now(),
            response: None,
        };
        self.store.commit(&commit).await.unwrap();
    }

    async fn sent(&self, key: &str) -> bool {
        self.store.already_sent(key).await.unwrap()
    }

    /// Kept notices by key: (reason, detail).
    async fn kept(&self) -> HashMap<String, (FailureReason, String)> {
        let kept = self.store.kept().await.unwrap();
        kept.into_iter().map(|f| (f.notice.key, (f.reason, f.detail))).collect()
    }
}

/// Every failure that is not final, with the reason it is counted and kept under.
fn transient_failures() -> Vec<(SendError, FailureReason)> {
    let refused = |status: u16, description: &str| SendError::Refused { status, description: description.into() };
    vec![
        (refused(401, "Unauthorized"), FailureReason::Unauthorized),
        (refused(404, "Not Found"), FailureReason::WrongUrl),
        (refused(400, "Bad Request: can't parse entities"), FailureReason::Refused),
        (refused(409, "Conflict"), FailureReason::Refused),
        (refused(500, "Internal Server Error"), FailureReason::ServerError),
        (refused(502, "Bad Gateway"), FailureReason::ServerError),
        (SendError::TimedOut, FailureReason::Timeout),
        (SendError::BadAnswer("<html>502 Bad Gateway</html>".into()), FailureReason::BadAnswer),
        (SendError::Unavailable(BoxError::from("connection refused")), FailureReason::Network),
    ]
}

#[tokio::test]
async fn every_transient_failure_hands_the_record_back_keeps_its_notices_and_marks_nothing_sent() {
    for (error, reason) in transient_failures() {
        let world = world().await;
        let label = format!("{error:?}");
        world.telegram.fail_next(ANNA as i64, error);
        let batch = [created("ev1", "100")];

        assert_eq!(world.run(&batch).await.as_deref(), Some("100"), "{label}: the record is handed back");
        assert!(world.telegram.delivered_to(ANNA as i64).is_empty(), "{label}");
        assert!(!world.sent(&anna_key("ev1")).await, "{label}");
        assert!(!world.store.reach(ANNA).await.unwrap().unreachable, "{label}: not final");
        let kept = world.kept().await;
        assert_eq!(kept[&anna_key("ev1")].0, reason, "{label}");
        // The manager's chat is another lane: delivered, or (when the failure stops every lane
        // and came first) kept with it — never both, never neither.
        let manager_sent = world.sent(&manager_key("ev1")).await;
        assert_eq!(manager_sent, world.telegram.delivered_to(MANAGER as i64).len() == 1, "{label}");
        assert_ne!(manager_sent, kept.contains_key(&manager_key("ev1")), "{label}: {kept:?}");
        if let Some((held, _)) = kept.get(&manager_key("ev1")) {
            assert_eq!(*held, reason, "{label}");
        }

        // The fault passes; the stream retries the record.
        assert_eq!(world.run(&batch).await, None, "{label}");
        assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 1, "{label}");
        assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1, "{label}");
        assert!(world.kept().await.is_empty(), "{label}: delivered notices are forgotten");
        assert_eq!(world.run(&batch).await, None, "{label}");
        assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 1, "{label}: exactly once");
    }
}

#[tokio::test]
async fn a_notice_delivered_before_the_failure_is_not_sent_again_on_the_retry() {
    let world = world().await;
    world.telegram.fail_next(MANAGER as i64, SendError::TimedOut);
    let batch = [created("ev1", "100")];
    assert_eq!(world.run(&batch).await.as_deref(), Some("100"));
    assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 1);
    assert!(world.sent(&anna_key("ev1")).await && !world.sent(&manager_key("ev1")).await);
    assert_eq!(world.kept().await.keys().collect::<Vec<_>>(), [&manager_key("ev1")], "only what was not delivered");

    assert_eq!(world.run(&batch).await, None);
    assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 1, "not again");
    assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1);
    assert!(world.kept().await.is_empty());
}

#[tokio::test]
async fn a_blocked_recipient_is_final_unreachable_and_never_marked_sent() {
    let world = world().await;
    world.telegram.fail_next(ANNA as i64, SendError::Blocked);
    let batch = [created("ev1", "100")];
    assert_eq!(world.run(&batch).await, None, "final: the record is done");
    assert!(world.store.reach(ANNA).await.unwrap().unreachable);
    assert!(!world.sent(&anna_key("ev1")).await, "a failure is never marked sent");
    assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1, "the others still hear");
    assert!(world.kept().await.is_empty(), "nothing to replay");

    let attempts = world.telegram.attempts();
    assert_eq!(world.run(&[taken("ev2", "101")]).await, None);
    assert_eq!(world.telegram.attempts(), attempts, "an unreachable recipient is not tried");
}

#[tokio::test]
async fn a_chat_that_is_gone_is_final_but_not_unreachable() {
    let world = world().await;
    world.telegram.fail_next(ANNA as i64, SendError::ChatNotFound);
    assert_eq!(world.run(&[created("ev1", "100")]).await, None);
    assert!(!world.store.reach(ANNA).await.unwrap().unreachable);
    assert!(!world.sent(&anna_key("ev1")).await);
    assert!(world.telegram.delivered_to(ANNA as i64).is_empty());
    assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1);
    assert!(world.kept().await.is_empty());
}

#[tokio::test]
async fn the_records_behind_a_failed_one_are_kept_too_and_delivered_in_order_on_the_retry() {
    let world = world().await;
    world.telegram.fail_next(ANNA as i64, SendError::Refused { status: 502, description: "Bad Gateway".into() });
    let batch = [created("ev1", "100"), taken("ev2", "101")];
    assert_eq!(world.run(&batch).await.as_deref(), Some("100"));
    let kept = world.kept().await;
    // Анна's lane stops at her first notice and keeps both of hers, in order.
    assert_eq!(kept[&anna_key("ev1")].0, FailureReason::ServerError);
    assert_eq!(kept[&anna_key("ev2")].0, FailureReason::ServerError);
    assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 0);

    assert_eq!(world.run(&batch).await, None);
    let to_anna = world.telegram.delivered_to(ANNA as i64);
    assert_eq!(to_anna.len(), 2);
    assert!(to_anna[1].contains("В работе"), "in the order of the changes: {to_anna:#?}");
    assert!(world.kept().await.is_empty());
}

/// Chats are lanes: a message one chat's Telegram refuses holds up no other chat, each chat's
/// notices go in the order of the changes, and the record handed back is the one whose notice
/// was not delivered (the retry sends only what was not).
#[tokio::test]
async fn one_chats_failure_holds_up_no_other_and_hands_back_exactly_its_record() {
    let world = world().await;
    let refused = SendError::Refused { status: 400, description: "Bad Request: can't parse entities".into() };
    world.telegram.fail_next(MANAGER as i64, refused);
    let batch = [taken("ev0", "99"), created("ev1", "100"), taken("ev2", "101")];
    assert_eq!(world.run(&batch).await.as_deref(), Some("100"), "the manager's notice of ev1");
    let to_anna = world.telegram.delivered_to(ANNA as i64);
    assert_eq!(to_anna.len(), 3, "all of Анна's, though a record before hers failed: {to_anna:#?}");
    assert!(to_anna[0].contains("В работе") && to_anna[2].contains("В работе"), "in order: {to_anna:#?}");
    assert_eq!(world.kept().await.keys().collect::<Vec<_>>(), [&manager_key("ev1")]);

    assert_eq!(world.run(&batch[1..]).await, None, "the retry, from the record handed back");
    assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 3, "nothing twice");
    assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1);
    assert!(world.kept().await.is_empty());
}

/// A record whose notices cannot be worked out (its ticket unreadable for now) is handed back
/// with the records after it, and what those owe is kept: the stream may give up on them all.
#[tokio::test]
async fn what_the_records_behind_an_unreadable_one_owe_is_kept() {
    let world = world().await;
    let unreadable = Record {
        event_id: "ev0".into(),
        sequence: "99".into(),
        change: Change::CommentAdded { comment: managers_comment("m1", "Выезжаю"), files: vec![] },
    };
    world.store.fail_next(Operation::Ticket, Fault::Unavailable);
    assert_eq!(world.run(&[unreadable, created("ev1", "100")]).await.as_deref(), Some("99"));
    assert!(world.telegram.sent().is_empty(), "nothing behind it is sent");
    let kept = world.kept().await;
    let (reason, detail) = &kept[&anna_key("ev1")];
    assert_eq!(*reason, FailureReason::Storage);
    assert!(detail.starts_with("held back behind ev0"), "{detail}");
    assert!(kept.contains_key(&manager_key("ev1")), "{kept:?}");
}

#[tokio::test(start_paused = true)]
async fn a_long_429_is_waited_out_as_far_as_the_invocation_allows_then_handed_back() {
    let world = world().await;
    let start = tokio::time::Instant::now();
    let deadline = start + Duration::from_secs(25);
    let remaining = move || deadline.saturating_duration_since(tokio::time::Instant::now());
    world.telegram.fail_next(ANNA as i64, SendError::RetryAfter(3600));
    let handed_back = world.dispatcher.handle_batch(&[created("ev1", "100")], remaining, Utc::now()).await;
    assert_eq!(handed_back.as_deref(), Some("100"));
    assert_eq!(start.elapsed(), Duration::from_secs(15), "waited until only the reserve was left");
    assert_eq!(world.telegram.attempts(), 2, "Анна's once (not again within the limit), the manager's chat meanwhile");
    assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1, "a 429 of one chat holds up no other");
    assert!(!world.sent(&anna_key("ev1")).await);
    assert_eq!(world.kept().await[&anna_key("ev1")].0, FailureReason::RateLimited);

    // A limit that fits is waited out and the message sent.
    let start = tokio::time::Instant::now();
    let deadline = start + Duration::from_secs(25);
    let remaining = move || deadline.saturating_duration_since(tokio::time::Instant::now());
    world.telegram.fail_next(ANNA as i64, SendError::RetryAfter(4));
    assert_eq!(world.dispatcher.handle_batch(&[created("ev1", "100")], remaining, Utc::now()).await, None);
    assert_eq!(start.elapsed(), Duration::from_secs(4));
    assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 1);
    assert!(world.kept().await.is_empty());
}

#[tokio::test]
async fn with_no_time_left_nothing_is_tried_and_the_record_is_kept() {
    let world = world().await;
    let almost_none = || RESERVE;
    let handed_back = world.dispatcher.handle_batch(&[created("ev1", "100")], almost_none, Utc::now()).await;
    assert_eq!(handed_back.as_deref(), Some("100"));
    assert_eq!(world.telegram.attempts(), 0);
    assert_eq!(world.kept().await[&anna_key("ev1")].0, FailureReason::OutOfTime);
}

#[tokio::test]
async fn a_long_notice_starts_no_part_without_time_for_it() {
    let world = world().await;
    let mut long = ticket(TicketStatus::InProgress);
    long.subject = "очень длинная тема ".repeat(300);
    let change = Change::TicketChanged { old: Box::new(ticket(TicketStatus::New)), new: Box::new(long) };
    let record = Record { event_id: "ev1".into(), sequence: "100".into(), change };
    // A minute before the first part, then only the reserve.
    let asked = std::sync::atomic::AtomicU32::new(0);
    let remaining = || match asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
        0 => Duration::from_secs(60),
        _ => RESERVE,
    };
    assert_eq!(world.dispatcher.handle_batch(&[record], remaining, Utc::now()).await.as_deref(), Some("100"));
    assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 1, "the first part went, the second did not start");
    assert!(!world.sent(&anna_key("ev1")).await, "a notice is sent when all its parts are");
    assert_eq!(world.kept().await[&anna_key("ev1")].0, FailureReason::OutOfTime);
}

#[tokio::test]
async fn a_store_that_cannot_keep_still_hands_the_record_back() {
    let world = world().await;
    world.telegram.fail_next(ANNA as i64, SendError::TimedOut);
    world.telegram.fail_next(MANAGER as i64, SendError::TimedOut);
    world.store.fail_next_n(Operation::Keep, Fault::Unavailable, 5);
    assert_eq!(world.run(&[created("ev1", "100"), taken("ev2", "101")]).await.as_deref(), Some("100"));
    assert!(world.kept().await.is_empty());
    assert_eq!(world.store.calls(Operation::Keep), 2, "each chat's lane stops keeping at its first refusal");
}

#[tokio::test]
async fn the_replay_delivers_every_kept_notice_once_in_the_order_of_the_changes() {
    let world = world().await;
    let revoked = || SendError::Refused { status: 401, description: "Unauthorized".into() };
    world.telegram.fail_next(ANNA as i64, revoked());
    world.telegram.fail_next(MANAGER as i64, revoked());
    // Sequence numbers are compared as numbers: 99 comes before 100.
    assert_eq!(world.run(&[taken("ev2", "99"), created("ev1", "100")]).await.as_deref(), Some("99"));
    assert_eq!(world.kept().await.len(), 3);

    // The token is still revoked at the first replay: it stops at once, keeping everything.
    world.telegram.fail_next(ANNA as i64, revoked());
    let report = world.dispatcher.courier.replay(minute(), Utc::now()).await.unwrap();
    assert_eq!((report.delivered, report.failed.len(), report.not_tried), (0, 1, 2), "{report:?}");
    assert_eq!(world.kept().await.len(), 3);

    // The new token is deployed (the stream has given up on the records meanwhile).
    let report = world.dispatcher.courier.replay(minute(), Utc::now()).await.unwrap();
    assert_eq!(report, ReplayReport { delivered: 3, ..ReplayReport::default() });
    let to_anna = world.telegram.delivered_to(ANNA as i64);
    assert_eq!(to_anna.len(), 2);
    assert!(to_anna[0].contains("В работе"), "sequence 99 first: {to_anna:#?}");
    assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1);
    assert!(world.kept().await.is_empty());
    assert!(world.sent(&anna_key("ev1")).await && world.sent(&anna_key("ev2")).await);

    let again = world.dispatcher.courier.replay(minute(), Utc::now()).await.unwrap();
    assert_eq!(again, ReplayReport::default(), "nothing left");
    // And a late retry of the records sends nothing twice.
    assert_eq!(world.run(&[taken("ev2", "99"), created("ev1", "100")]).await, None);
    assert_eq!(world.telegram.delivered_to(ANNA as i64).len(), 2);
}

#[tokio::test]
async fn the_replay_skips_what_a_retry_delivered_and_goes_on_past_one_refused_message() {
    let world = world().await;
    world.telegram.fail_next(ANNA as i64, SendError::TimedOut);
    world.telegram.fail_next(MANAGER as i64, SendError::TimedOut);
    world.run(&[created("ev1", "100"), taken("ev2", "101")]).await;
    // A retry got Анна's first notice through, but its kept copy stayed (say, forgetting failed).
    world.store.mark_sent(&anna_key("ev1"), Utc::now()).await.unwrap();
    // Telegram refuses Анна's second one as written: the manager's still goes.
    world
        .telegram
        .fail_next(ANNA as i64, SendError::Refused { status: 400, description: "Bad Request: can't parse".into() });
    let report = world.dispatcher.courier.replay(minute(), Utc::now()).await.unwrap();
    assert_eq!((report.delivered_before, report.delivered, report.failed.len()), (1, 1, 1), "{report:?}");
    assert_eq!(report.failed[0].reason, FailureReason::Refused);
    assert_eq!(world.telegram.delivered_to(MANAGER as i64).len(), 1);
    assert_eq!(world.kept().await.keys().collect::<Vec<_>>(), [&anna_key("ev2")], "kept for the next replay");
}

#[tokio::test]
async fn a_call_me_request_replayed_to_the_manager_is_marked_notified() {
    let world = world().await;
    let effect = Effect::RequestCallMe { id: "r1".into(), contact_id: "c1".into(), client_id: "k1".into() };
    world.commit_as(3, ANNA, &[effect]).await;
    let request = world.store.call_me_requests(&CallMeState::ALL, None, 10).await.unwrap().items.remove(0);
    let record = Record { event_id: "ev3".into(), sequence: "200".into(), change: Change::CallMeRequested(request) };
    world.telegram.fail_next(MANAGER as i64, SendError::TimedOut);
    assert_eq!(world.run(&[record]).await.as_deref(), Some("200"));
    assert_eq!(
        world.store.call_me_requests(&CallMeState::ALL, None, 10).await.unwrap().items[0].state,
        CallMeState::New
    );

    let report = world.dispatcher.courier.replay(minute(), Utc::now()).await.unwrap();
    assert_eq!(report.delivered, 1);
    assert_eq!(
        world.store.call_me_requests(&CallMeState::ALL, None, 10).await.unwrap().items[0].state,
        CallMeState::ManagerNotified
    );
}

/// A client's notice sets their menu as the change left it (the ticket the record carries
/// counts even before the contact's index lists it); a staff notice carries what the employee
/// may do to the ticket (an unassigned one: «🙋 Взять себе»), «📋 Карточка» and its link's button.
/// A notice kept for replay keeps its menu.
#[tokio::test]
async fn a_clients_notice_carries_their_menu_after_the_change() {
    let world = world().await;
    assert_eq!(world.run(&[created("ev1", "100")]).await, None);
    let buttons =
        world.telegram.notices().into_iter().map(|(chat, _, keyboard, url)| (chat, keyboard, url)).collect::<Vec<_>>();
    let active = main_menu(TicketCounts { active: 1, completed: 0 }, Lang::Ru);
    assert_eq!(buttons[0], (ANNA as i64, active.clone(), Some("https://desk.example.com/tickets/7".into())));
    let take = crate::dialogue::Press::Staff(crate::dialogue::StaffAction::Take, 7, 1);
    let card = Keyboard::Inline(vec![
        vec![crate::dialogue::InlineButton::new(crate::texts::BTN_TAKE.ru, take)],
        vec![crate::dialogue::InlineButton::new(crate::texts::BTN_CARD.ru, crate::dialogue::Press::Card(7))],
    ]);
    assert_eq!(buttons[1], (MANAGER as i64, card, Some("https://desk.example.com/tickets/7".into())));

    world.telegram.fail_next(ANNA as i64, SendError::TimedOut);
    let done = Change::TicketChanged {
        old: Box::new(ticket(TicketStatus::InProgress)),
        new: Box::new(ticket(TicketStatus::Done)),
    };
    let record = Record { event_id: "ev2".into(), sequence: "200".into(), change: done };
    assert_eq!(world.run(&[record]).await.as_deref(), Some("200"));
    let kept = world.store.kept().await.unwrap();
    let menus: Vec<_> = kept.iter().map(|k| (k.notice.menu, k.notice.rate)).collect();
    assert!(menus.contains(&(Some(TicketCounts { active: 0, completed: 1 }), None)), "{menus:?}");
    assert!(menus.contains(&(None, Some(7))), "the request to rate, kept too: {menus:?}");
    world.dispatcher.courier.replay(minute(), Utc::now()).await.unwrap();
    let buttons =
        world.telegram.notices().into_iter().map(|(chat, _, keyboard, url)| (chat, keyboard, url)).collect::<Vec<_>>();
    let replayed: Vec<_> = buttons.iter().rev().take(2).map(|(chat, keyboard, _)| (*chat, keyboard.clone())).collect();
    assert!(
        replayed.contains(&(ANNA as i64, main_menu(TicketCounts { active: 0, completed: 1 }, Lang::Ru))),
        "{replayed:?}"
    );
    assert!(replayed.contains(&(ANNA as i64, crate::dialogue::rating_buttons(7))), "{replayed:?}");
}

/// A kept notice is replayed only to the account still linked to its person: the manager left
/// (deactivated: their account unlinked) and Анна's phone moved to another account after the
/// notices failed. Nothing reaches either old account; both notices are forgotten and counted.
#[tokio::test]
async fn the_replay_sends_nothing_to_an_account_no_longer_its_persons() {
    let world = world().await;
    let down = || SendError::Refused { status: 502, description: "Bad Gateway".into() };
    world.telegram.fail_next(ANNA as i64, down());
    world.telegram.fail_next(MANAGER as i64, down());
    assert_eq!(world.run(&[created("ev1", "100")]).await.as_deref(), Some("100"));
    assert_eq!(world.kept().await.len(), 2, "Анна's and the manager's");

    // The manager is deactivated (the staff API unlinks their account) and Анна unlinks hers.
    let manager = Employee { active: false, ..world.store.get_employee("e1").await.unwrap().unwrap() };
    world.store.put_employee(&Employee { telegram_user: None, ..manager }, Some(MANAGER)).await.unwrap();
    world.commit_as(9, ANNA, &[Effect::Unlink]).await;

    let attempts = world.telegram.attempts();
    let report = world.dispatcher.courier.replay(minute(), Utc::now()).await.unwrap();
    assert_eq!(report, ReplayReport { recipient_gone: 2, ..ReplayReport::default() });
    assert_eq!(world.telegram.attempts(), attempts, "nothing sent to either account");
    assert!(world.kept().await.is_empty(), "both forgotten");
}

/// What a comment's notice costs the store, and what its files add: the files ride on the
/// comment's record, so the text notice costs what it did; the files notice adds its sent
/// marker to the batch's check and settles its delivery (the marker written, a kept copy
/// forgotten, the message it made remembered: one write on DynamoDB, three operations here);
/// the recipient and their reach are read once for both notices.
#[tokio::test]
async fn a_comments_files_add_one_notice_and_no_read_to_its_text() {
    let world = world().await;
    crate::ports::TicketStore::create_ticket(&world.store, &ticket(TicketStatus::InProgress), &[], None).await.unwrap();
    let comment = |id: &str| managers_comment(id, "Схема подключения");
    let photo = crate::test_util::fixtures::telegram_photo("AgAC");
    let cost = |event_id: &'static str, files: Vec<crate::dialogue::StoredFile>| {
        let world = &world;
        let comment = comment(event_id);
        async move {
            world.store.reset_counts();
            let record = Record {
                event_id: event_id.into(),
                sequence: "1".into(),
                change: Change::CommentAdded { comment, files },
            };
            assert_eq!(world.dispatcher.handle_batch(&[record], minute(), Utc::now()).await, None);
            world.store.round_trips()
        }
    };
    let without = cost("ev1", vec![]).await;
    let with = cost("ev2", vec![photo]).await;
    println!("a staff comment's notice to the client: {without} requests; with a photo: {with}");
    assert_eq!(with - without, 4, "the files notice: its marker checked, its delivery settled; no other read");
    let sent = world.telegram.sent();
    assert!(matches!(sent.last(), Some(Reply::Files(files)) if files.len() == 1), "{sent:?}");
}
