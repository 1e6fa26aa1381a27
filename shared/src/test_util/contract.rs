//! The contract of the store ports: one suite of checks that every store adapter passes, so
//! that the memory store stands in for DynamoDB without surprises. The DynamoDB adapter runs it
//! against DynamoDB Local (`tests/tests/store_contract.rs`), the memory store in this crate's
//! unit tests.
//!
//! Each check takes a fresh store (empty tables) and panics with what broke.
//! [`store_contract_tests!`](crate::store_contract_tests) makes one `#[tokio::test]` per check:
//!
//! ```text
//! shared::store_contract_tests!(fresh_store().await);
//! ```

use crate::dialogue::{
    AlbumTarget, ContactMatch, Effect, EmployeeMatch, Manager, NewComment, NewRating, NewTicket, Pending, PhoneMatches,
    StaffComment, State, StoredFile, TicketSummary, UserRecord,
};
use crate::domain::{
    Actor, AuthorKind, CallMeRequest, CallMeState, Client, Comment, Contact, Employee, JournalEntry, Link, Rating,
    TelegramUserId, Ticket, TicketCounts, TicketDetails, TicketStatus,
};
use crate::phone::Phone;
use crate::ports::{
    AlbumClaims, Attached, CallMeRequests, Commit, Directory, FailedNotice, FailedNotices, FailureReason, KeptResult,
    KeptResults, MessageTickets, Outgoing, Page, Position, RatedWork, SentNotices, StoreError, TicketFilter,
    TicketStore, Upload, Uploads, UserStore, PAGE_MAX,
};
use chrono::{DateTime, Duration, TimeZone, Utc};

/// Every store port, as one bound.
pub trait Stores:
    UserStore
    + AlbumClaims
    + Directory
    + TicketStore
    + KeptResults
    + CallMeRequests
    + SentNotices
    + FailedNotices
    + MessageTickets
    + Uploads
{
}

// The stores that pass the contract (the bound is listed once, above).
impl Stores for super::memory::InMemoryStore {}
#[cfg(feature = "dynamodb")]
impl Stores for crate::dynamo::DynamoStore {}

/// One `#[tokio::test]` per contract check, each on the store `$fresh` makes (an expression
/// evaluated inside the async test, so it may `.await`). The list of checks lives here alone.
#[macro_export]
macro_rules! store_contract_tests {
    (@tests [$fresh:expr] $($check:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $check() {
                $crate::test_util::contract::$check($fresh).await;
            }
        )*
    };
    ($fresh:expr) => {
        $crate::store_contract_tests!(@tests [$fresh]
            user_record_round_trips,
            a_stale_user_version_conflicts,
            a_repeated_update_is_a_duplicate,
            a_failed_condition_writes_nothing,
            a_commit_creates_a_ticket_with_files_and_journal,
            a_taken_ticket_id_conflicts,
            comments_land_only_on_the_contacts_active_ticket,
            only_the_contacts_active_ticket_is_cancelled,
            only_the_contact_rates_a_completed_ticket_within_the_week,
            an_album_is_claimed_first_and_then_again,
            album_parts_fill_in_what_the_first_lacked,
            staff_comments_land_on_any_existing_ticket_as_the_employee,
            linking_moves_a_contact_between_telegram_users,
            linking_needs_an_active_contact_or_an_existing_employee,
            linking_to_another_person_frees_the_old_entry,
            unlinking_lets_go_on_both_sides,
            put_contact_keeps_both_sides_of_the_link_in_step,
            put_contacts_writes_all_or_nothing,
            put_employee_keeps_the_users_link_in_step,
            find_by_phone_names_companies_only_to_choose,
            the_manager_of_a_client,
            ticket_ids_increase_by_one,
            update_ticket_is_conditional_on_the_version,
            add_comment_requires_the_ticket,
            a_kept_result_is_written_with_its_creation_once_a_day,
            list_tickets_filters_and_orders_newest_first,
            listing_pages_through_moments_shared_by_many,
            call_me_requests_via_commit_newest_first,
            sent_notices_are_remembered,
            messages_are_remembered_per_chat,
            a_commit_remembers_the_messages_it_takes_and_journals_a_correction,
            an_upload_is_taken_once_with_the_write_that_takes_it,
            failed_notices_are_kept_replaced_and_forgotten,
            unreachable_until_the_next_commit,
            the_language_is_kept_on_the_users_record,
            a_commit_may_not_write_one_item_twice,
            a_commit_holds_at_most_100_items,
            the_response_is_kept_with_the_marker,
            failed_attempts_are_counted_per_update,
            a_key_that_cannot_be_one_is_refused_not_looked_up,
        );
    };
}

// ---- The world the checks use ---------------------------------------------------------------

const ANNA: TelegramUserId = 5101;
const BORIS: TelegramUserId = 5102;
const ANNA_PHONE: &str = "+79123456789";
const SHARED_PHONE: &str = "+79990001122";
const OTHER_PHONE: &str = "+79995556677";

/// A moment of the checks, `seconds` after a base time with nanoseconds (as clocks give them),
/// so a store that rounds times fails.
fn at(seconds: i64) -> DateTime<Utc> {
    let base = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).single().expect("a valid time");
    base + Duration::nanoseconds(123_456_789) + Duration::seconds(seconds)
}

fn phone(e164: &str) -> Phone {
    Phone::from_e164(e164).expect("an E.164 number")
}

fn client(id: &str, name: &str, manager_id: Option<&str>) -> Client {
    Client { id: id.into(), name: name.into(), manager_id: manager_id.map(Into::into), vip: false }
}

fn contact(id: &str, client_id: &str, name: &str, phone_number: &str, active: bool) -> Contact {
    Contact {
        id: id.into(),
        name: name.into(),
        phone: phone(phone_number),
        client_id: client_id.into(),
        active,
        telegram_user: None,
    }
}

fn employee(id: &str, name: &str, phone_number: Option<&str>) -> Employee {
    Employee { id: id.into(), name: name.into(), phone: phone_number.map(phone), active: true, telegram_user: None }
}

fn contact_match(contact: &Contact, linked_user: Option<TelegramUserId>) -> ContactMatch {
    ContactMatch {
        contact_id: contact.id.clone(),
        client_id: contact.client_id.clone(),
        client_name: String::new(),
        name: contact.name.clone(),
        active: contact.active,
        linked_user,
    }
}

fn employee_match(employee: &Employee, linked_user: Option<TelegramUserId>) -> EmployeeMatch {
    EmployeeMatch {
        employee_id: employee.id.clone(),
        name: employee.name.clone(),
        active: employee.active,
        linked_user,
    }
}

fn file(name: &str) -> StoredFile {
    StoredFile {
        name: name.into(),
        content_type: "image/jpeg".into(),
        size: 1234,
        key: format!("ab/{name}"),
        telegram: None,
    }
}

/// A ticket as the staff API makes one.
fn ticket(id: u64, contact_id: &str, client_id: &str, status: TicketStatus, created_at: DateTime<Utc>) -> Ticket {
    Ticket {
        subject: format!("Ticket {id}"),
        message: "Details".into(),
        client_id: client_id.into(),
        changed_by: Actor::Employee("e1".into()),
        ..super::fixtures::ticket(id, contact_id, status, created_at)
    }
}

/// A ticket Анна (c1 of k1) makes in the bot.
fn new_ticket(id: u64, files: Vec<StoredFile>) -> NewTicket {
    NewTicket {
        id,
        subject: "Не работает почта".into(),
        message: "С утра не уходят письма".into(),
        contact_id: "c1".into(),
        client_id: "k1".into(),
        files,
    }
}

fn new_comment(ticket_id: u64, comment_id: &str, contact_id: &str, on_completed: bool, text: &str) -> NewComment {
    NewComment {
        ticket_id,
        on_completed,
        comment_id: comment_id.into(),
        contact_id: contact_id.into(),
        author_name: "Анна Иванова".into(),
        text: text.into(),
        files: vec![],
    }
}

/// Client k1 «ООО Ромашка» managed by employee e1, and its active contact c1 Анна (unlinked).
async fn seed_directory<S: Stores>(store: &S) -> (Contact, Employee) {
    let manager = employee("e1", "Иван Петров", Some(OTHER_PHONE));
    let anna = contact("c1", "k1", "Анна Иванова", ANNA_PHONE, true);
    ok(store.put_employee(&manager, None).await, "put_employee e1");
    ok(store.put_client(&client("k1", "ООО Ромашка", Some("e1"))).await, "put_client k1");
    ok(store.put_contact(&anna, None, at(0)).await, "put_contact c1");
    (anna, manager)
}

/// Commits `effects` of `user` over their record as read now, the dialogue back at rest.
async fn commit<S: UserStore>(
    store: &S,
    update_id: u64,
    user: TelegramUserId,
    effects: &[Effect],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let before = load(store, user).await;
    commit_over(store, update_id, user, &before, &State::Idle, effects, now).await
}

async fn commit_over<S: UserStore>(
    store: &S,
    update_id: u64,
    user: TelegramUserId,
    before: &UserRecord,
    state: &State,
    effects: &[Effect],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let chat_id = i64::try_from(user).expect("a Telegram id fits a chat id");
    store.commit(&Commit { update_id, user_id: user, chat_id, before, state, effects, now, response: None }).await
}

async fn load<S: UserStore>(store: &S, user: TelegramUserId) -> UserRecord {
    ok(store.load_user(user).await, "load_user")
}

async fn stored_ticket<S: TicketStore>(store: &S, id: u64) -> Option<Ticket> {
    ok(store.ticket(id).await, "ticket")
}

async fn details<S: TicketStore>(store: &S, id: u64) -> TicketDetails {
    ok(store.ticket_details(id).await, "ticket_details").unwrap_or_else(|| panic!("ticket {id} should exist"))
}

async fn stored_contact<S: Directory>(store: &S, id: &str) -> Contact {
    ok(store.get_contact(id).await, "get_contact").unwrap_or_else(|| panic!("contact {id} should exist"))
}

async fn stored_employee<S: Directory>(store: &S, id: &str) -> Employee {
    ok(store.get_employee(id).await, "get_employee").unwrap_or_else(|| panic!("employee {id} should exist"))
}

async fn next_id<S: TicketStore>(store: &S) -> u64 {
    ok(store.next_ticket_id().await, "next_ticket_id")
}

#[track_caller]
fn ok<T>(result: Result<T, StoreError>, what: &str) -> T {
    result.unwrap_or_else(|error| panic!("{what}: expected success, got {error:?}"))
}

#[track_caller]
fn conflict<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    assert!(matches!(result, Err(StoreError::Conflict)), "{what}: expected Conflict, got {result:?}");
}

#[track_caller]
fn duplicate(result: Result<(), StoreError>, what: &str) {
    assert!(matches!(result, Err(StoreError::Duplicate)), "{what}: expected Duplicate, got {result:?}");
}

// ---- Users, markers, atomicity -------------------------------------------------------------

pub async fn user_record_round_trips<S: Stores>(store: S) {
    assert_eq!(load(&store, ANNA).await, UserRecord::default(), "an unknown user reads as a new record (version 0)");
    let pending = Pending {
        text: Some("Счёт во вложении".into()),
        files: vec![file("a.jpg")],
        album: Some("g1".into()),
        since: Some(at(0)),
        messages: vec![31, 32],
    };
    let choosing = State::ChoosingTicketToAttach { pending };
    ok(commit_over(&store, 1, ANNA, &UserRecord::default(), &choosing, &[], at(0)).await, "the first commit");
    let first = load(&store, ANNA).await;
    assert_eq!(
        first,
        UserRecord { link: None, state: choosing, version: 1, language: None },
        "the first commit stores version 1"
    );
    let commenting = State::AwaitingComment { ticket_id: 7, completed: true };
    ok(commit_over(&store, 2, ANNA, &first, &commenting, &[], at(1)).await, "a commit over the record as read");
    assert_eq!(
        load(&store, ANNA).await,
        UserRecord { link: None, state: commenting, version: 2, language: None },
        "each commit moves the version on by one"
    );
    assert_eq!(load(&store, BORIS).await, UserRecord::default(), "another user's record is untouched");
}

pub async fn a_stale_user_version_conflicts<S: Stores>(store: S) {
    ok(commit_over(&store, 1, ANNA, &UserRecord::default(), &State::AwaitingNewTicket, &[], at(0)).await, "commit");
    let stored = load(&store, ANNA).await;
    conflict(
        commit_over(&store, 2, ANNA, &UserRecord::default(), &State::Idle, &[], at(1)).await,
        "a commit as if the user were new, over an existing record",
    );
    let ahead = UserRecord { version: 5, ..stored.clone() };
    conflict(
        commit_over(&store, 3, ANNA, &ahead, &State::Idle, &[], at(2)).await,
        "a commit over a version that is not the stored one",
    );
    assert_eq!(load(&store, ANNA).await, stored, "conflicting commits write nothing");
    let imagined = UserRecord { version: 1, ..UserRecord::default() };
    conflict(
        commit_over(&store, 4, BORIS, &imagined, &State::Idle, &[], at(3)).await,
        "a commit over version 1 of a record that does not exist",
    );
    assert_eq!(load(&store, BORIS).await, UserRecord::default(), "a conflicting commit makes no record");
    ok(
        commit_over(&store, 2, ANNA, &stored, &State::Idle, &[], at(4)).await,
        "the update that conflicted, decided again over the record (its marker was not written)",
    );
}

pub async fn a_repeated_update_is_a_duplicate<S: Stores>(store: S) {
    ok(commit(&store, 7, ANNA, &[], at(0)).await, "the first delivery");
    duplicate(
        commit_over(&store, 7, ANNA, &UserRecord::default(), &State::Idle, &[], at(0)).await,
        "the same commit again (its version condition fails too: the marker decides)",
    );
    let current = load(&store, ANNA).await;
    duplicate(
        commit_over(&store, 7, ANNA, &current, &State::AwaitingNewTicket, &[], at(1)).await,
        "the same update decided again over the current record",
    );
    duplicate(commit(&store, 7, BORIS, &[], at(2)).await, "an update id is handled once, whoever sent it");
    assert_eq!(load(&store, ANNA).await, current, "a duplicate writes nothing");
    assert_eq!(load(&store, BORIS).await, UserRecord::default(), "a duplicate makes no record");
}

pub async fn the_response_is_kept_with_the_marker<S: Stores>(store: S) {
    assert_eq!(ok(store.committed_response(8).await, "no marker"), None, "nothing committed, nothing kept");
    let before = load(&store, ANNA).await;
    let commit = Commit {
        update_id: 8,
        user_id: ANNA,
        chat_id: 1,
        before: &before,
        state: &State::Idle,
        effects: &[],
        now: at(0),
        response: Some(r#"{"method":"sendMessage"}"#.into()),
    };
    ok(store.commit(&commit).await, "a commit with its response");
    assert_eq!(
        ok(store.committed_response(8).await, "the marker"),
        Some(r#"{"method":"sendMessage"}"#.to_owned()),
        "a redelivery answers what the first delivery answered"
    );
    ok(commit_over(&store, 9, ANNA, &load(&store, ANNA).await, &State::Idle, &[], at(1)).await, "no response");
    assert_eq!(ok(store.committed_response(9).await, "a marker without one"), None);
}

pub async fn failed_attempts_are_counted_per_update<S: Stores>(store: S) {
    for expected in 1..=3 {
        assert_eq!(ok(store.count_failed_attempt(11, at(0)).await, "count"), expected);
    }
    assert_eq!(ok(store.count_failed_attempt(12, at(0)).await, "another update"), 1, "counted apart");
}

pub async fn a_failed_condition_writes_nothing<S: Stores>(store: S) {
    let (anna, _) = seed_directory(&store).await;
    let id = next_id(&store).await;
    let effects = [
        Effect::LinkContact(contact_match(&anna, None)),
        Effect::CreateTicket(new_ticket(id, vec![file("a.jpg")])),
        Effect::ClaimAlbum {
            album: "g1".into(),
            target: AlbumTarget::Ticket { ticket_id: id, comment_id: None },
            first: true,
        },
        Effect::RequestCallMe { id: "r1".into(), contact_id: "c1".into(), client_id: "k1".into() },
        // No such ticket: this condition fails.
        Effect::CancelTicket { ticket_id: id + 100, contact_id: "c1".into() },
    ];
    conflict(commit(&store, 1, ANNA, &effects, at(0)).await, "a commit one of whose conditions fails");
    assert_eq!(stored_ticket(&store, id).await, None, "no ticket");
    assert_eq!(ok(store.ticket_details(id).await, "ticket_details"), None, "no ticket details");
    assert!(ok(store.contact_tickets("c1").await, "contact_tickets").is_empty(), "no ticket of the contact");
    assert_eq!(ok(store.album_claim(ANNA, "g1").await, "album_claim"), None, "no album claim");
    assert!(every_call_me(&store).await.is_empty(), "no call-me request");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, None, "no link on the contact");
    assert_eq!(load(&store, ANNA).await, UserRecord::default(), "no user record");

    ok(commit(&store, 1, ANNA, &effects[..4], at(1)).await, "the same update without the failing effect");
    assert!(stored_ticket(&store, id).await.is_some(), "now the ticket is there");
    assert!(ok(store.album_claim(ANNA, "g1").await, "album_claim").is_some(), "and the claim");
    assert_eq!(every_call_me(&store).await.len(), 1, "and the call-me request");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, Some(ANNA), "and the link");
}

// ---- Tickets through commits -----------------------------------------------------------------

pub async fn a_commit_creates_a_ticket_with_files_and_journal<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let new = new_ticket(id, vec![file("b.pdf"), file("a.jpg"), file("b.pdf")]);
    ok(commit(&store, 10, ANNA, &[Effect::CreateTicket(new.clone())], at(0)).await, "a commit creating a ticket");
    let record = new.record(at(0));
    assert_eq!(stored_ticket(&store, id).await, Some(record.clone()), "the ticket as NewTicket::record makes it");
    let details = details(&store, id).await;
    assert_eq!(details.ticket, record, "ticket_details reads the ticket back");
    assert_eq!(
        details.attachments,
        vec![file("a.jpg").attachment(None), file("b.pdf").attachment(None)],
        "one attachment per object key, in key order"
    );
    assert_eq!(
        details.journal,
        vec![JournalEntry::new(at(0), "created", Actor::Client("c1".into()), "source: messenger")],
        "the journal tells who created it, from where"
    );
    assert!(details.comments.is_empty(), "no comments yet");
    assert_eq!(
        ok(store.contact_tickets("c1").await, "contact_tickets"),
        vec![TicketSummary { id, subject: record.subject, status: TicketStatus::New }],
        "the contact's tickets list it"
    );
    assert_eq!(ok(store.ticket_details(id + 1).await, "ticket_details"), None, "another id has no ticket");
}

pub async fn a_taken_ticket_id_conflicts<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let original = ticket(id, "c1", "k1", TicketStatus::InProgress, at(0));
    let journal = vec![
        JournalEntry::new(at(0), "created", Actor::Api, "source: phone"),
        JournalEntry::new(at(0), "assigned", Actor::Api, "e1"),
    ];
    ok(store.create_ticket(&original, &journal, None).await, "create_ticket");
    let stored = details(&store, id).await;
    assert_eq!(stored.ticket, original, "create_ticket stores the ticket as given");
    assert_eq!(stored.journal, journal, "journal entries of one moment keep the order given");

    conflict(
        store.create_ticket(&ticket(id, "c2", "k2", TicketStatus::New, at(5)), &[], None).await,
        "create_ticket with a taken id",
    );
    conflict(
        commit(&store, 3, ANNA, &[Effect::CreateTicket(new_ticket(id, vec![]))], at(6)).await,
        "a commit creating a ticket with a taken id",
    );
    assert_eq!(details(&store, id).await, stored, "the ticket and its journal stay as they were");
    assert_eq!(load(&store, ANNA).await, UserRecord::default(), "nothing of the conflicting commit is written");
}

pub async fn comments_land_only_on_the_contacts_active_ticket<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let open = ticket(id, "c1", "k1", TicketStatus::New, at(0));
    ok(store.create_ticket(&open, &[], None).await, "create_ticket");
    let comment = |comment_id: &str, contact_id: &str, on_completed: bool| {
        Effect::AddComment(new_comment(id, comment_id, contact_id, on_completed, "Текст"))
    };
    conflict(commit(&store, 1, BORIS, &[comment("m0", "c2", false)], at(1)).await, "a comment on another's ticket");
    conflict(
        commit(&store, 2, ANNA, &[comment("m0", "c1", true)], at(2)).await,
        "a question about a completed ticket, on an active one",
    );
    let first = NewComment {
        files: vec![file("x.png")], ..new_comment(id, "m2", "c1", false, "Ещё подробности")
    };
    ok(commit(&store, 3, ANNA, &[Effect::AddComment(first.clone())], at(10)).await, "a comment on one's active ticket");

    let done = Ticket { status: TicketStatus::Done, version: 2, updated_at: at(15), ..open.clone() };
    ok(store.update_ticket(&done, &[]).await, "the desk completes the ticket");
    conflict(commit(&store, 4, ANNA, &[comment("m0", "c1", false)], at(16)).await, "a comment on a completed ticket");
    let question = new_comment(id, "m1", "c1", true, "Почему закрыли?");
    ok(
        commit(&store, 5, ANNA, &[Effect::AddComment(question.clone())], at(20)).await,
        "a question about a completed ticket",
    );
    let stored = details(&store, id).await;
    assert_eq!(
        stored.comments,
        vec![first.record(at(10)), question.record(at(20))],
        "comments oldest first (not by id), as NewComment::record makes them"
    );
    assert_eq!(stored.attachments, vec![file("x.png").attachment(Some("m2"))], "a comment's file names the comment");

    let cancelled = Ticket { status: TicketStatus::Cancelled, version: 3, updated_at: at(25), ..done };
    ok(store.update_ticket(&cancelled, &[]).await, "the desk cancels the ticket");
    conflict(
        commit(&store, 6, ANNA, &[comment("m0", "c1", true)], at(26)).await,
        "a question about a cancelled ticket",
    );
    conflict(commit(&store, 7, ANNA, &[comment("m0", "c1", false)], at(27)).await, "a comment on a cancelled ticket");
    let missing = Effect::AddComment(new_comment(id + 100, "m0", "c1", false, "Текст"));
    conflict(commit(&store, 8, ANNA, &[missing], at(28)).await, "a comment on a missing ticket");
    assert_eq!(details(&store, id).await.comments.len(), 2, "failed comments write nothing");
}

pub async fn only_the_contact_rates_a_completed_ticket_within_the_week<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let mut made = ticket(id, "c1", "k1", TicketStatus::InProgress, at(0));
    made.assignee_id = Some("e1".into());
    ok(store.create_ticket(&made, &[], None).await, "create_ticket");
    let rate = |contact_id: &str, score: u8, previous: Option<Rating>| {
        Effect::RateTicket(NewRating {
            ticket_id: id,
            contact_id: contact_id.into(),
            score,
            previous,
            assignee_id: Some("e1".into()),
            tells_low_of: None,
        })
    };
    let telling_low_of = |effect: Effect, completion| match effect {
        Effect::RateTicket(rating) => Effect::RateTicket(NewRating { tells_low_of: Some(completion), ..rating }),
        other => other,
    };
    conflict(commit(&store, 1, ANNA, &[rate("c1", 5, None)], at(10)).await, "rating a ticket not completed");

    // Done on the 31st of a month: the week runs into the next.
    let done_at = Utc.with_ymd_and_hms(2026, 12, 31, 12, 0, 0).single().expect("a time");
    let mut done = made.clone();
    done.moved_to(TicketStatus::Done, done_at);
    done.version = 2;
    ok(store.update_ticket(&done, &[]).await, "update_ticket");
    assert_eq!(stored_ticket(&store, id).await.and_then(|t| t.completed_at), Some(done_at), "completion is kept");

    conflict(commit(&store, 2, BORIS, &[rate("c2", 1, None)], done_at).await, "another contact's rating");
    let first = Rating { score: 2, at: done_at + Duration::hours(1) };
    ok(
        commit(&store, 3, ANNA, &[telling_low_of(rate("c1", 2, None), done_at)], first.at).await,
        "the contact's rating",
    );
    let stored = stored_ticket(&store, id).await.expect("the ticket");
    assert_eq!((stored.rating, stored.low_score_told), (Some(first), Some(done_at)), "stored, the low score told");
    conflict(
        commit(&store, 4, ANNA, &[rate("c1", 3, None)], first.at + Duration::minutes(1)).await,
        "a second press that read no rating (the first won)",
    );
    let changed = Rating { score: 5, at: done_at + Duration::days(2) };
    ok(commit(&store, 5, ANNA, &[rate("c1", 5, Some(first))], changed.at).await, "a changed score");
    let stored = stored_ticket(&store, id).await.expect("the ticket");
    assert_eq!((stored.rating, stored.version), (Some(changed), 2), "the score replaced; not a change of the work");
    assert_eq!(stored.low_score_told, Some(done_at), "the completion stays told");
    let journal: Vec<(String, String)> =
        details(&store, id).await.journal.into_iter().map(|e| (e.event, e.details)).collect();
    assert_eq!(journal, [("rated".into(), "2".into()), ("rated".into(), "2 → 5".into())], "both journaled");
    conflict(
        commit(&store, 6, ANNA, &[rate("c1", 1, Some(changed))], done_at + Duration::days(7)).await,
        "a week after completion",
    );

    // The summary reads each ticket's latest score, once, under the month it was given.
    let december =
        (Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap());
    let january = (december.1, Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap());
    assert!(ok(store.ratings(december.0, december.1).await, "ratings").is_empty(), "December's rating moved on");
    assert_eq!(
        ok(store.ratings(january.0, january.1).await, "ratings"),
        vec![RatedWork { ticket_id: id, rating: changed, assignee_id: Some("e1".into()) }],
        "January holds the latest"
    );
    assert_eq!(ok(store.ratings(december.0, january.1).await, "ratings").len(), 1, "counted once over both");

    let rated = |rated| TicketFilter { rated: Some(rated), ..Default::default() };
    let other = ticket(next_id(&store).await, "c1", "k1", TicketStatus::New, at(5));
    ok(store.create_ticket(&other, &[], None).await, "create_ticket");
    let ids = |page: Page<Ticket>| page.items.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(ok(store.list_tickets(&rated(true), None, 10).await, "list_tickets")), [id], "rated");
    assert_eq!(ids(ok(store.list_tickets(&rated(false), None, 10).await, "list_tickets")), [other.id], "not rated");

    // Worked on again: the window closes; done again: it opens anew.
    let mut reopened = stored_ticket(&store, id).await.expect("the ticket");
    reopened.moved_to(TicketStatus::InProgress, done_at + Duration::days(3));
    reopened.version += 1;
    ok(store.update_ticket(&reopened, &[]).await, "update_ticket");
    assert_eq!(stored_ticket(&store, id).await.and_then(|t| t.completed_at), None, "no completion while worked on");
    conflict(
        commit(&store, 7, ANNA, &[rate("c1", 1, Some(changed))], done_at + Duration::days(3)).await,
        "a ticket worked on again",
    );
}

pub async fn only_the_contacts_active_ticket_is_cancelled<S: Stores>(store: S) {
    let id = next_id(&store).await;
    ok(store.create_ticket(&ticket(id, "c1", "k1", TicketStatus::Waiting, at(0)), &[], None).await, "create_ticket");
    let cancel = |contact_id: &str, ticket_id: u64| Effect::CancelTicket { ticket_id, contact_id: contact_id.into() };
    conflict(commit(&store, 1, BORIS, &[cancel("c2", id)], at(1)).await, "cancelling another contact's ticket");
    ok(commit(&store, 2, ANNA, &[cancel("c1", id)], at(30)).await, "cancelling one's active ticket");
    let cancelled = stored_ticket(&store, id).await.expect("the ticket");
    assert_eq!(
        (cancelled.status, cancelled.version, &cancelled.changed_by, cancelled.updated_at),
        (TicketStatus::Cancelled, 2, &Actor::Client("c1".into()), at(30)),
        "a cancel sets the status, moves the version, names the client"
    );
    assert_eq!(
        details(&store, id).await.journal,
        vec![JournalEntry::new(
            at(30),
            "cancelled",
            Actor::Client("c1".into()),
            "cancelled by the client in the Telegram bot"
        )],
        "a cancel is journaled"
    );
    conflict(commit(&store, 3, ANNA, &[cancel("c1", id)], at(31)).await, "a second cancel (a stale button)");
    assert_eq!(stored_ticket(&store, id).await, Some(cancelled), "a failed cancel changes nothing");

    let done = next_id(&store).await;
    ok(store.create_ticket(&ticket(done, "c1", "k1", TicketStatus::Done, at(0)), &[], None).await, "create_ticket");
    conflict(commit(&store, 4, ANNA, &[cancel("c1", done)], at(32)).await, "cancelling a completed ticket");
    conflict(commit(&store, 5, ANNA, &[cancel("c1", done + 100)], at(33)).await, "cancelling a missing ticket");
}

pub async fn an_album_is_claimed_first_and_then_again<S: Stores>(store: S) {
    assert_eq!(ok(store.album_claim(ANNA, "g1").await, "album_claim"), None, "an album nobody claimed");
    let to_comment = AlbumTarget::Ticket { ticket_id: 5, comment_id: Some("m1".into()) };
    let claim = |target: AlbumTarget, first: bool| Effect::ClaimAlbum { album: "g1".into(), target, first };
    ok(commit(&store, 1, ANNA, &[claim(to_comment.clone(), true)], at(0)).await, "the first claim");
    assert_eq!(
        ok(store.album_claim(ANNA, "g1").await, "album_claim"),
        Some(to_comment.clone()),
        "the claim reads back"
    );
    conflict(
        commit(&store, 2, ANNA, &[claim(AlbumTarget::Pending, true)], at(1)).await,
        "a second first claim of one album",
    );
    assert_eq!(ok(store.album_claim(ANNA, "g1").await, "album_claim"), Some(to_comment), "the first claim stands");
    ok(commit(&store, 3, ANNA, &[claim(AlbumTarget::Pending, false)], at(2)).await, "a later claim");
    assert_eq!(
        ok(store.album_claim(ANNA, "g1").await, "album_claim"),
        Some(AlbumTarget::Pending),
        "a claim that is not the first replaces"
    );
    assert_eq!(ok(store.album_claim(ANNA, "g2").await, "album_claim"), None, "other albums stay unclaimed");
    assert_eq!(
        ok(store.album_claim(BORIS, "g1").await, "album_claim"),
        None,
        "another chat's album of the same id too"
    );
    ok(commit(&store, 4, BORIS, &[claim(AlbumTarget::Pending, true)], at(3)).await, "another chat claims its own");
}

pub async fn album_parts_fill_in_what_the_first_lacked<S: Stores>(store: S) {
    let (anna, _) = seed_directory(&store).await;
    ok(commit(&store, 90, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(0)).await, "linking c1");
    let id = next_id(&store).await;
    let placeholder = "Файлы от Анна Иванова";
    let new = NewTicket { subject: placeholder.into(), message: String::new(), ..new_ticket(id, vec![file("a.jpg")]) };
    ok(commit(&store, 1, ANNA, &[Effect::CreateTicket(new.clone())], at(0)).await, "the album's first part");
    let caption = Effect::SetSubject {
        ticket_id: id,
        placeholder: placeholder.into(),
        subject: "Счёт".into(),
        message: "за ноябрь".into(),
    };
    let more_files = Effect::AddFiles { ticket_id: id, comment_id: None, files: vec![file("b.jpg"), file("b.jpg")] };
    ok(commit(&store, 2, ANNA, &[more_files, caption.clone()], at(1)).await, "a later part with a caption");
    assert_eq!(
        stored_ticket(&store, id).await,
        Some(Ticket { subject: "Счёт".into(), message: "за ноябрь".into(), ..new.record(at(0)) }),
        "the caption replaces the placeholder subject (the version and times stay)"
    );
    assert_eq!(
        details(&store, id).await.attachments,
        vec![file("a.jpg").attachment(None), file("b.jpg").attachment(None)],
        "later parts' files join the ticket, once per object key"
    );
    conflict(
        commit(&store, 3, ANNA, &[caption], at(2)).await,
        "a caption over a subject that is no longer the placeholder",
    );
    let elsewhere = Effect::SetSubject {
        ticket_id: id + 100,
        placeholder: placeholder.into(),
        subject: "Счёт".into(),
        message: String::new(),
    };
    conflict(commit(&store, 4, ANNA, &[elsewhere], at(3)).await, "a caption for a missing ticket");

    let files_only = NewComment { files: vec![file("c.jpg")], ..new_comment(id, "m1", "c1", false, "") };
    ok(commit(&store, 5, ANNA, &[Effect::AddComment(files_only)], at(4)).await, "a comment of files alone");
    let comment_files = Effect::AddFiles { ticket_id: id, comment_id: Some("m1".into()), files: vec![file("d.jpg")] };
    let text = |text: &str| Effect::SetCommentText { ticket_id: id, comment_id: "m1".into(), text: text.into() };
    ok(commit(&store, 6, ANNA, &[comment_files, text("Вот ещё")], at(5)).await, "a later part with a caption");
    ok(commit(&store, 7, ANNA, &[text("Другая подпись")], at(6)).await, "a second caption is no error");
    let missing = Effect::SetCommentText { ticket_id: id, comment_id: "m9".into(), text: "Ничья".into() };
    conflict(commit(&store, 8, ANNA, &[missing], at(7)).await, "a caption for a comment that is not there");
    // Parts from another chat (a forged or colliding album) touch nothing of Анна's.
    let foreign_files = Effect::AddFiles { ticket_id: id, comment_id: None, files: vec![file("x.jpg")] };
    conflict(commit(&store, 9, BORIS, &[foreign_files], at(8)).await, "files for someone else's ticket");
    let foreign_comment_files =
        Effect::AddFiles { ticket_id: id, comment_id: Some("m1".into()), files: vec![file("y.jpg")] };
    conflict(commit(&store, 10, BORIS, &[foreign_comment_files], at(8)).await, "files for someone else's comment");
    conflict(commit(&store, 11, BORIS, &[text("Чужое")], at(8)).await, "a caption for someone else's comment");
    let stored = details(&store, id).await;
    assert_eq!(stored.comments.len(), 1, "one comment");
    assert_eq!(stored.comments[0].text, "Вот ещё", "the first caption becomes the comment's text and stays");
    assert_eq!(
        stored.attachments.last(),
        Some(&file("d.jpg").attachment(Some("m1"))),
        "a later part's files join the comment"
    );
}

pub async fn staff_comments_land_on_any_existing_ticket_as_the_employee<S: Stores>(store: S) {
    let (anna, manager) = seed_directory(&store).await;
    ok(commit(&store, 90, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(0)).await, "linking c1");
    ok(commit(&store, 91, BORIS, &[Effect::LinkEmployee(employee_match(&manager, None))], at(0)).await, "linking e1");
    let id = next_id(&store).await;
    let cancelled = ticket(id, "c1", "k1", TicketStatus::Cancelled, at(0));
    ok(store.create_ticket(&cancelled, &[], None).await, "create_ticket");
    let note = StaffComment {
        ticket_id: id,
        comment_id: "s1".into(),
        employee_id: "e1".into(),
        author_name: "Иван Петров".into(),
        text: String::new(),
        internal: true,
        files: vec![file("a.jpg")],
    };
    ok(
        commit(&store, 1, BORIS, &[Effect::AddStaffComment(note.clone())], at(1)).await,
        "a staff note on a cancelled ticket",
    );
    // The album's later parts: files and a caption join the employee's own comment only.
    let files = Effect::AddFiles { ticket_id: id, comment_id: Some("s1".into()), files: vec![file("b.jpg")] };
    let text = Effect::SetCommentText { ticket_id: id, comment_id: "s1".into(), text: "для своих".into() };
    ok(commit(&store, 2, BORIS, &[files.clone(), text.clone()], at(2)).await, "a later part of the employee's album");
    conflict(commit(&store, 3, ANNA, &[files], at(3)).await, "the client's files for the employee's comment");
    conflict(commit(&store, 4, ANNA, &[text], at(3)).await, "the client's caption for the employee's comment");
    let missing = StaffComment { ticket_id: id + 100, comment_id: "s2".into(), ..note.clone() };
    conflict(commit(&store, 5, BORIS, &[Effect::AddStaffComment(missing)], at(4)).await, "a missing ticket");

    let stored = details(&store, id).await;
    let expected = Comment { text: "для своих".into(), ..note.record(at(1)) };
    assert_eq!(stored.comments, vec![expected], "one comment, the employee's, internal");
    assert_eq!((stored.comments[0].author_kind, stored.comments[0].author_id.as_str()), (AuthorKind::Employee, "e1"));
    assert_eq!(
        stored.attachments,
        vec![file("a.jpg").attachment(Some("s1")), file("b.jpg").attachment(Some("s1"))],
        "its files name the comment"
    );
}

// ---- Links and the directory ---------------------------------------------------------------

pub async fn linking_moves_a_contact_between_telegram_users<S: Stores>(store: S) {
    let (anna, _) = seed_directory(&store).await;
    let link =
        Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна Иванова".into() };
    ok(commit(&store, 1, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(0)).await, "linking");
    assert_eq!(load(&store, ANNA).await.link, Some(link.clone()), "the user's record holds the link");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, Some(ANNA), "the contact holds the user");

    conflict(
        commit(&store, 2, BORIS, &[Effect::LinkContact(contact_match(&anna, None))], at(1)).await,
        "linking a contact read as unlinked that is linked now",
    );
    assert_eq!(load(&store, BORIS).await, UserRecord::default(), "the stale link writes nothing");

    let anna_before = load(&store, ANNA).await;
    ok(
        commit(&store, 3, BORIS, &[Effect::LinkContact(contact_match(&anna, Some(ANNA)))], at(2)).await,
        "another Telegram account takes the contact over",
    );
    assert_eq!(load(&store, BORIS).await.link, Some(link.clone()), "the new account holds the link");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, Some(BORIS), "the contact holds the new account");
    let anna_after = load(&store, ANNA).await;
    assert_eq!(anna_after.link, None, "the old account loses the link");
    assert_eq!(
        anna_after.version,
        anna_before.version + 1,
        "and its version moves on (a step in flight decides again)"
    );
    conflict(
        commit_over(&store, 4, ANNA, &anna_before, &State::Idle, &[], at(3)).await,
        "a commit over the old account's record as read before it lost the link",
    );
    ok(
        commit(&store, 5, BORIS, &[Effect::LinkContact(contact_match(&anna, Some(BORIS)))], at(4)).await,
        "linking again to the contact one holds",
    );
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, Some(BORIS), "the link stays");
    assert_eq!(load(&store, BORIS).await.link, Some(link), "on both sides");
}

pub async fn linking_needs_an_active_contact_or_an_existing_employee<S: Stores>(store: S) {
    let (_, manager) = seed_directory(&store).await;
    let inactive = contact("c3", "k1", "Олег", SHARED_PHONE, false);
    ok(store.put_contact(&inactive, None, at(0)).await, "put_contact");
    conflict(
        commit(&store, 1, ANNA, &[Effect::LinkContact(contact_match(&inactive, None))], at(1)).await,
        "linking an inactive contact",
    );
    let unknown = contact("c9", "k1", "Никто", SHARED_PHONE, true);
    conflict(
        commit(&store, 2, ANNA, &[Effect::LinkContact(contact_match(&unknown, None))], at(2)).await,
        "linking a contact that does not exist",
    );
    conflict(
        commit(&store, 3, ANNA, &[Effect::LinkEmployee(employee_match(&employee("e9", "Никто", None), None))], at(3))
            .await,
        "linking an employee that does not exist",
    );
    assert_eq!(load(&store, ANNA).await, UserRecord::default(), "failed links write nothing");
    assert_eq!(ok(store.get_contact("c9").await, "get_contact"), None, "a failed link makes no contact");
    assert_eq!(ok(store.get_employee("e9").await, "get_employee"), None, "a failed link makes no employee");

    ok(commit(&store, 4, ANNA, &[Effect::LinkEmployee(employee_match(&manager, None))], at(4)).await, "linking e1");
    assert_eq!(stored_employee(&store, "e1").await.telegram_user, Some(ANNA), "the employee holds the user");
    assert_eq!(
        load(&store, ANNA).await.link,
        Some(Link::Employee { employee_id: "e1".into(), name: "Иван Петров".into() }),
        "the user holds the employee"
    );
}

pub async fn linking_to_another_person_frees_the_old_entry<S: Stores>(store: S) {
    let (anna, manager) = seed_directory(&store).await;
    ok(commit(&store, 1, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(0)).await, "linking c1");
    ok(commit(&store, 2, ANNA, &[Effect::LinkEmployee(employee_match(&manager, None))], at(1)).await, "linking e1");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, None, "the old entry lets go");
    assert_eq!(stored_employee(&store, "e1").await.telegram_user, Some(ANNA), "the new entry holds the user");
    assert!(matches!(load(&store, ANNA).await.link, Some(Link::Employee { .. })), "the user holds the new entry");
    ok(commit(&store, 3, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(2)).await, "back to c1");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, Some(ANNA), "c1 holds the user again");
    assert_eq!(stored_employee(&store, "e1").await.telegram_user, None, "e1 lets go");
}

pub async fn unlinking_lets_go_on_both_sides<S: Stores>(store: S) {
    let (anna, _) = seed_directory(&store).await;
    ok(commit(&store, 1, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(0)).await, "linking c1");
    let linked = ok(store.reach(ANNA).await, "reach").person;
    assert_eq!(
        linked,
        Some(crate::domain::Person::Contact("c1".into())),
        "reach names the person the account is linked to"
    );
    ok(commit(&store, 2, ANNA, &[Effect::Unlink], at(1)).await, "unlinking");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, None, "the contact lets go");
    assert_eq!(load(&store, ANNA).await.link, None, "the user holds nothing");
    assert_eq!(ok(store.reach(ANNA).await, "reach").person, None, "and reach names no one");
    ok(commit(&store, 3, ANNA, &[Effect::Unlink], at(2)).await, "unlinking again changes nothing");
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, None, "still let go");

    // The contact linked to another account meanwhile: my stale unlink fails, theirs stays.
    ok(commit(&store, 4, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(3)).await, "linking again");
    let before = load(&store, ANNA).await;
    ok(
        commit(&store, 5, BORIS, &[Effect::LinkContact(contact_match(&anna, Some(ANNA)))], at(4)).await,
        "Boris takes c1",
    );
    conflict(
        commit_over(&store, 6, ANNA, &before, &State::Idle, &[Effect::Unlink], at(5)).await,
        "an unlink of a link that moved on",
    );
    assert_eq!(stored_contact(&store, "c1").await.telegram_user, Some(BORIS), "the other account keeps it");
}

pub async fn put_contacts_writes_all_or_nothing<S: Stores>(store: S) {
    let (anna, _) = seed_directory(&store).await;
    ok(commit(&store, 1, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(0)).await, "linking c1");
    let renamed = Contact { name: "Анна Петрова".into(), telegram_user: Some(ANNA), ..anna.clone() };
    let many: Vec<Contact> = (0..crate::ports::PUT_CONTACTS_MAX - 1)
        .map(|i| contact(&format!("n{i}"), "k1", &format!("Новый {i}"), &format!("+7912700{i:04}"), true))
        .collect();
    let as_new = |contacts: &[Contact]| contacts.iter().map(|c| (c.clone(), None)).collect::<Vec<_>>();
    let stale = [as_new(&many), vec![(renamed.clone(), None)]].concat();
    conflict(store.put_contacts(&stale, at(1)).await, "a batch with one stale link (c1 read as unlinked)");
    let none = ok(store.get_contacts(&["n0".to_owned(), "n1".to_owned()]).await, "get_contacts");
    assert!(none.is_empty(), "a failed batch writes nothing: {none:?}");

    let batch = [many.clone(), vec![renamed.clone()]].concat();
    let writes = [as_new(&many), vec![(renamed.clone(), Some(ANNA))]].concat();
    assert_eq!(ok(store.put_contacts(&writes, at(2)).await, "put_contacts"), batch, "stored as given");
    let ids: Vec<String> = batch.iter().map(|c| c.id.clone()).chain(["nobody".to_owned()]).collect();
    let read = ok(store.get_contacts(&ids).await, "get_contacts");
    assert_eq!(read.len(), batch.len(), "every stored contact, and no other");
    assert_eq!(read.get("c1"), Some(&renamed));
    assert_eq!(read.get("n3"), Some(&many[3]));
    assert_eq!(
        load(&store, ANNA).await.link,
        Some(Link::Contact { contact_id: "c1".into(), client_id: "k1".into(), name: "Анна Петрова".into() }),
        "the user's copy of the link follows"
    );
    let too_many: Vec<Contact> = (0..=crate::ports::PUT_CONTACTS_MAX)
        .map(|i| contact(&format!("m{i}"), "k1", "М", &format!("+7912800{i:04}"), true))
        .collect();
    let refused = store.put_contacts(&as_new(&too_many), at(3)).await;
    assert!(matches!(refused, Err(StoreError::Rejected(_))), "over the limit");
}

pub async fn put_contact_keeps_both_sides_of_the_link_in_step<S: Stores>(store: S) {
    let (anna, _) = seed_directory(&store).await;
    ok(store.put_client(&client("k2", "АО Лютик", None)).await, "put_client k2");
    ok(commit(&store, 1, ANNA, &[Effect::LinkContact(contact_match(&anna, None))], at(0)).await, "linking c1");
    let before = load(&store, ANNA).await;

    let moved =
        Contact {
            name: "Анна Петрова".into(), client_id: "k2".into(), telegram_user: Some(ANNA), ..anna.clone()
        };
    let kept = store.put_contact(&moved, Some(ANNA), at(5)).await;
    assert_eq!(ok(kept, "put_contact"), moved, "a contact written with its link keeps it");
    assert_eq!(stored_contact(&store, "c1").await, moved, "the contact reads back as written");
    let after = load(&store, ANNA).await;
    assert_eq!(
        after.link,
        Some(Link::Contact { contact_id: "c1".into(), client_id: "k2".into(), name: "Анна Петрова".into() }),
        "the user's copy of the link follows the directory"
    );
    assert_eq!(after.version, before.version + 1, "and the user's version moves on");

    conflict(
        store.put_contact(&moved, None, at(6)).await,
        "a contact read as unlinked while it is linked (a stale read)",
    );
    conflict(
        store.put_contact(&Contact { telegram_user: Some(BORIS), ..moved.clone() }, Some(BORIS), at(6)).await,
        "a contact read as linked to another account",
    );
    assert_eq!(stored_contact(&store, "c1").await, moved, "failed writes leave the contact");
    assert_eq!(load(&store, ANNA).await, after, "and the user");

    let deactivated = Contact { active: false, telegram_user: None, ..moved };
    let stored = ok(store.put_contact(&deactivated, Some(ANNA), at(7)).await, "deactivating");
    assert_eq!(stored, deactivated, "a contact written without the link it had is unlinked");
    assert_eq!(stored_contact(&store, "c1").await, stored, "as stored");
    let unlinked = load(&store, ANNA).await;
    assert_eq!(unlinked.link, None, "the user loses the link too");
    assert_eq!(unlinked.version, after.version + 1, "and the user's version moves on");

    let boris = contact("c2", "k2", "Борис", SHARED_PHONE, true);
    assert_eq!(ok(store.put_contact(&boris, None, at(8)).await, "put_contact c2"), boris, "a new contact");
    assert_eq!(stored_contact(&store, "c2").await, boris, "reads back");
    conflict(
        store
            .put_contact(
                &Contact { telegram_user: Some(BORIS), ..contact("c3", "k2", "Ева", OTHER_PHONE, true) },
                Some(BORIS),
                at(9),
            )
            .await,
        "a new contact read as linked to an account that is not linked to it",
    );
    assert_eq!(ok(store.get_contact("c3").await, "get_contact"), None, "the failed write makes no contact");
}

pub async fn put_employee_keeps_the_users_link_in_step<S: Stores>(store: S) {
    let (_, manager) = seed_directory(&store).await;
    ok(commit(&store, 1, ANNA, &[Effect::LinkEmployee(employee_match(&manager, None))], at(0)).await, "linking e1");
    let before = load(&store, ANNA).await;
    let renamed = Employee {
        name: "Иван Сидоров".into(),
        phone: Some(phone(SHARED_PHONE)),
        telegram_user: Some(ANNA),
        ..manager.clone()
    };
    assert_eq!(ok(store.put_employee(&renamed, Some(ANNA)).await, "put_employee"), renamed, "the employee as written");
    assert_eq!(stored_employee(&store, "e1").await, renamed, "reads back");
    let after = load(&store, ANNA).await;
    assert_eq!(
        after.link,
        Some(Link::Employee { employee_id: "e1".into(), name: "Иван Сидоров".into() }),
        "the user's copy of the link follows the directory"
    );
    assert_eq!(after.version, before.version + 1, "and the user's version moves on");
    conflict(store.put_employee(&renamed, None).await, "an employee read as unlinked while linked (a stale read)");
    assert_eq!(stored_employee(&store, "e1").await, renamed, "the failed write leaves the employee");
    let departed = Employee { active: false, telegram_user: None, ..renamed };
    ok(store.put_employee(&departed, Some(ANNA)).await, "deactivating e1");
    assert_eq!(stored_employee(&store, "e1").await, departed, "a departed employee reads back unlinked");
    assert_eq!(load(&store, ANNA).await.link, None, "the user loses the link too");
    conflict(
        commit(&store, 2, ANNA, &[Effect::LinkEmployee(employee_match(&departed, None))], at(1)).await,
        "a departed employee cannot be linked again",
    );
    let newcomer = employee("e2", "Пётр", None);
    assert_eq!(ok(store.put_employee(&newcomer, None).await, "put_employee e2"), newcomer, "a new employee");
}

pub async fn find_by_phone_names_companies_only_to_choose<S: Stores>(store: S) {
    ok(store.put_client(&client("k1", "ООО Ромашка", None)).await, "put_client k1");
    ok(store.put_client(&client("k2", "АО Лютик", None)).await, "put_client k2");
    let inactive = contact("c1", "k1", "Анна", SHARED_PHONE, false);
    let active = contact("c2", "k2", "Анна", SHARED_PHONE, true);
    for entry in [&active, &inactive, &contact("c3", "k1", "Олег", OTHER_PHONE, true)] {
        ok(store.put_contact(entry, None, at(0)).await, "put_contact");
    }
    let desk = employee("e1", "Анна Сергеевна", Some(SHARED_PHONE));
    for entry in [&desk, &employee("e2", "Пётр", None), &employee("e3", "Ева", Some(OTHER_PHONE))] {
        ok(store.put_employee(entry, None).await, "put_employee");
    }
    let found = ok(store.find_by_phone(&phone(SHARED_PHONE)).await, "find_by_phone");
    assert_eq!(
        found,
        PhoneMatches {
            contacts: vec![contact_match(&inactive, None), contact_match(&active, None)],
            employees: vec![employee_match(&desk, None)],
        },
        "contacts (inactive too) and employees with the phone, by id; one active contact: no company names"
    );

    ok(store.put_contact(&Contact { active: true, ..inactive }, None, at(1)).await, "activating c1");
    ok(
        store.put_contact(&contact("c4", "k9", "Анна", SHARED_PHONE, true), None, at(1)).await,
        "a contact of no client",
    );
    ok(commit(&store, 1, BORIS, &[Effect::LinkContact(contact_match(&active, None))], at(2)).await, "linking c2");
    let found = ok(store.find_by_phone(&phone(SHARED_PHONE)).await, "find_by_phone");
    let named: Vec<(&str, &str, Option<TelegramUserId>)> =
        found.contacts.iter().map(|c| (c.contact_id.as_str(), c.client_name.as_str(), c.linked_user)).collect();
    assert_eq!(
        named,
        vec![("c1", "ООО Ромашка", None), ("c2", "АО Лютик", Some(BORIS)), ("c4", "k9", None)],
        "several active contacts: each with its company's name (its id when there is no such client) and link"
    );
    assert_eq!(
        ok(store.find_by_phone(&phone("+79000000000")).await, "find_by_phone"),
        PhoneMatches::default(),
        "a phone nobody has"
    );
}

pub async fn the_manager_of_a_client<S: Stores>(store: S) {
    assert_eq!(ok(store.manager("k1").await, "manager"), None, "no such client");
    ok(store.put_client(&client("k1", "ООО Ромашка", None)).await, "put_client");
    assert_eq!(ok(store.manager("k1").await, "manager"), None, "a client without a manager");
    ok(store.put_client(&client("k2", "АО Лютик", Some("e9"))).await, "put_client");
    assert_eq!(ok(store.manager("k2").await, "manager"), None, "a manager who is not in the directory");
    let manager = employee("e1", "Иван Петров", None);
    ok(store.put_employee(&manager, None).await, "put_employee");
    ok(store.put_client(&client("k3", "ИП Сидоров", Some("e1"))).await, "put_client");
    assert_eq!(
        ok(store.manager("k3").await, "manager"),
        Some(Manager { employee_id: "e1".into(), linked: false }),
        "a manager without Telegram"
    );
    ok(commit(&store, 1, ANNA, &[Effect::LinkEmployee(employee_match(&manager, None))], at(0)).await, "linking e1");
    assert_eq!(
        ok(store.manager("k3").await, "manager"),
        Some(Manager { employee_id: "e1".into(), linked: true }),
        "a manager with Telegram"
    );
}

// ---- Tickets through the staff API ----------------------------------------------------------

pub async fn ticket_ids_increase_by_one<S: Stores>(store: S) {
    let ids = [next_id(&store).await, next_id(&store).await, next_id(&store).await];
    assert_eq!(ids, [1, 2, 3], "ticket numbers start at 1 and go up by one");
}

pub async fn update_ticket_is_conditional_on_the_version<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let original = ticket(id, "c1", "k1", TicketStatus::New, at(0));
    ok(store.create_ticket(&original, &[], None).await, "create_ticket");
    let by = Actor::Employee("e2".into());
    let assigned = Ticket {
        subject: "not a changeable field".into(),
        message: "not a changeable field".into(),
        status: TicketStatus::InProgress,
        assignee_id: Some("e2".into()),
        assignee_name: Some("Пётр".into()),
        deadline: Some(at(86_400)),
        updated_at: at(60),
        changed_by: by.clone(),
        version: 2,
        ..original.clone()
    };
    let journal = vec![
        JournalEntry::new(at(60), "status", by.clone(), "new → in_progress"),
        JournalEntry::new(at(60), "assigned", by, "e2"),
    ];
    ok(store.update_ticket(&assigned, &journal).await, "update_ticket over version 1");
    let stored = stored_ticket(&store, id).await.expect("the ticket");
    assert_eq!(
        stored,
        Ticket { subject: original.subject.clone(), message: original.message.clone(), ..assigned.clone() },
        "the changeable fields change, the rest stays"
    );
    conflict(
        store.update_ticket(&Ticket { status: TicketStatus::Waiting, ..assigned }, &[]).await,
        "an update over a version that moved on",
    );
    assert_eq!(stored_ticket(&store, id).await, Some(stored.clone()), "the failed update changes nothing");

    let released = Ticket {
        status: TicketStatus::Waiting,
        assignee_id: None,
        assignee_name: None,
        deadline: None,
        updated_at: at(120),
        version: 3,
        ..stored
    };
    ok(store.update_ticket(&released, &[]).await, "update_ticket over version 2");
    assert_eq!(stored_ticket(&store, id).await, Some(released.clone()), "the assignee and deadline are cleared");
    assert_eq!(details(&store, id).await.journal, journal, "the journal holds what the updates wrote");
    conflict(
        store.update_ticket(&Ticket { id: id + 100, ..released }, &[]).await,
        "updating a ticket that does not exist",
    );
    assert_eq!(stored_ticket(&store, id + 100).await, None, "a failed update makes no ticket");
}

pub async fn add_comment_requires_the_ticket<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let staff = Comment {
        id: "s1".into(),
        ticket_id: id,
        author_kind: AuthorKind::Employee,
        author_id: "e1".into(),
        author_name: "Иван Петров".into(),
        text: "Проверяем".into(),
        internal: true,
        created_at: at(5),
    };
    conflict(store.add_comment(&staff, None).await, "a comment on a ticket that does not exist");
    assert_eq!(ok(store.ticket_details(id).await, "ticket_details"), None, "the failed comment makes nothing");
    ok(store.create_ticket(&ticket(id, "c1", "k1", TicketStatus::New, at(0)), &[], None).await, "create_ticket");
    ok(store.add_comment(&staff, None).await, "an internal staff comment");
    let empty = Comment {
        id: "s0".into(),
        author_kind: AuthorKind::Client,
        author_id: "c1".into(),
        text: String::new(),
        internal: false,
        created_at: at(3),
        ..staff.clone()
    };
    ok(store.add_comment(&empty, None).await, "a comment without text");
    assert_eq!(
        details(&store, id).await.comments,
        vec![empty, staff.clone()],
        "comments read back as written, oldest first"
    );
    conflict(
        store.add_comment(&Comment { text: "Другой".into(), ..staff.clone() }, None).await,
        "a comment whose id is taken",
    );
    assert_eq!(details(&store, id).await.comments[1], staff, "the first comment of that id stays");
}

/// A result kept for a day from `seconds` (expiry in whole seconds, as TTLs are).
fn kept(key: &str, hash: &str, seconds: i64) -> KeptResult {
    let created_at = at(seconds);
    let expires_at = DateTime::<Utc>::from_timestamp(created_at.timestamp() + 86_400, 0).unwrap_or(created_at);
    KeptResult {
        key: key.into(),
        request_hash: hash.into(),
        status: 201,
        body: r#"{"id":1}"#.into(),
        created_at,
        expires_at,
    }
}

pub async fn a_kept_result_is_written_with_its_creation_once_a_day<S: Stores>(store: S) {
    let once = kept("POST /tickets#k-1", "h1", 0);
    assert_eq!(ok(store.kept_result(&once.key, at(0)).await, "kept_result"), None, "nothing kept yet");
    let first = ticket(next_id(&store).await, "c1", "k1", TicketStatus::New, at(0));
    ok(store.create_ticket(&first, &[], Some(&once)).await, "create_ticket with a kept result");
    assert_eq!(ok(store.kept_result(&once.key, at(60)).await, "kept_result"), Some(once.clone()), "read back whole");

    let second = ticket(next_id(&store).await, "c1", "k1", TicketStatus::New, at(1));
    duplicate(store.create_ticket(&second, &[], Some(&kept(&once.key, "h2", 1))).await, "a repeated key");
    assert_eq!(stored_ticket(&store, second.id).await, None, "a repeated key creates nothing");
    assert_eq!(
        ok(store.kept_result(&once.key, at(60)).await, "kept_result").map(|r| r.request_hash),
        Some("h1".into())
    );

    let comment = Comment {
        id: "s1".into(),
        ticket_id: first.id,
        author_kind: AuthorKind::Employee,
        author_id: "e1".into(),
        author_name: "Иван Петров".into(),
        text: "Проверяем".into(),
        internal: false,
        created_at: at(2),
    };
    duplicate(store.add_comment(&comment, Some(&kept(&once.key, "h3", 2))).await, "a key taken by a ticket");
    assert!(details(&store, first.id).await.comments.is_empty(), "a repeated key adds no comment");
    let on_nothing = Comment { ticket_id: first.id + 1000, ..comment.clone() };
    let comment_once = kept("POST /tickets/1/comments#k-2", "h4", 3);
    conflict(store.add_comment(&on_nothing, Some(&comment_once)).await, "a kept comment on no ticket");
    assert_eq!(
        ok(store.kept_result(&comment_once.key, at(3)).await, "kept_result"),
        None,
        "a failed write keeps nothing"
    );
    ok(store.add_comment(&comment, Some(&comment_once)).await, "add_comment with a kept result");
    assert_eq!(details(&store, first.id).await.comments, vec![comment], "the comment is stored");

    let day_later = 86_400 + 1;
    assert_eq!(ok(store.kept_result(&once.key, at(day_later)).await, "kept_result"), None, "expired after a day");
    let again = kept(&once.key, "h5", day_later);
    ok(store.create_ticket(&second, &[], Some(&again)).await, "an expired key is taken again");
    assert_eq!(ok(store.kept_result(&once.key, at(day_later)).await, "kept_result"), Some(again));
}

pub async fn list_tickets_filters_and_orders_newest_first<S: Stores>(store: S) {
    let mut make = vec![];
    for (contact_id, client_id, status, second) in [
        ("c1", "k1", TicketStatus::New, 10),
        ("c2", "k1", TicketStatus::Done, 30),
        ("c3", "k2", TicketStatus::New, 20),
        ("c1", "k1", TicketStatus::InProgress, 30),
    ] {
        let made = ticket(next_id(&store).await, contact_id, client_id, status, at(second));
        ok(store.create_ticket(&made, &[], None).await, "create_ticket");
        make.push(made);
    }
    let [a, b, c, d] = [make[0].id, make[1].id, make[2].id, make[3].id];
    let list = |contact: Option<&str>, client: Option<&str>, status: Option<TicketStatus>| TicketFilter {
        contact_id: contact.map(Into::into),
        client_id: client.map(Into::into),
        status,
        rated: None,
    };
    let cases = [
        (list(None, None, None), vec![d, b, c, a], "all, newest first; of one moment, the larger id first"),
        (list(Some("c1"), None, None), vec![d, a], "a contact's"),
        (list(None, Some("k1"), None), vec![d, b, a], "a client's"),
        (list(None, None, Some(TicketStatus::New)), vec![c, a], "of a status"),
        (list(Some("c1"), None, Some(TicketStatus::New)), vec![a], "a contact's of a status"),
        (list(Some("c2"), Some("k1"), None), vec![b], "a contact's of a client"),
        (list(Some("c1"), Some("k2"), None), vec![], "a contact's of another client"),
    ];
    for (filter, expected, what) in cases {
        let found = ok(store.list_tickets(&filter, None, PAGE_MAX).await, "list_tickets");
        assert_eq!(found.items.iter().map(|t| t.id).collect::<Vec<_>>(), expected, "list_tickets: {what}");
        assert_eq!(found.next, None, "one page holds them: {what}");
        let paged: Vec<u64> = every_page(&store, &filter, 1).await.iter().map(|t| t.id).collect();
        assert_eq!(paged, expected, "list_tickets one by one: {what}");
    }
    assert_eq!(
        ok(store.list_tickets(&TicketFilter::default(), None, 1).await, "list_tickets").items[0],
        make[3],
        "list_tickets returns whole tickets"
    );
    let summary = |t: &Ticket| TicketSummary { id: t.id, subject: t.subject.clone(), status: t.status };
    assert_eq!(
        ok(store.contact_tickets("c1").await, "contact_tickets"),
        vec![summary(&make[3]), summary(&make[0])],
        "a contact's tickets, newest first"
    );
    assert!(ok(store.contact_tickets("c9").await, "contact_tickets").is_empty(), "a contact without tickets");
}

// ---- What the notifier keeps -----------------------------------------------------------------

/// Every ticket that matches, page after page of `limit`; each page's cursor is its last.
async fn every_page<S: Stores>(store: &S, filter: &TicketFilter, limit: usize) -> Vec<Ticket> {
    let (mut all, mut cursor) = (vec![], None);
    for _ in 0..100 {
        let page = ok(store.list_tickets(filter, cursor.as_ref(), limit).await, "list_tickets");
        assert!(page.items.len() <= limit, "a page holds at most its limit");
        assert!(page.items.len() == limit || page.next.is_none(), "a short page is the last");
        all.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return all,
        }
    }
    panic!("list_tickets: the pages never end");
}

pub async fn listing_pages_through_moments_shared_by_many<S: Stores>(store: S) {
    // Nine tickets, several of one moment and of several statuses and contacts: the pages must
    // give each exactly once, in order, whatever order the store finds equal moments in.
    let mut made = vec![];
    for (n, second) in [10, 20, 20, 20, 20, 30, 20, 5, 30].into_iter().enumerate() {
        let status = [TicketStatus::New, TicketStatus::Done, TicketStatus::InProgress][n % 3];
        let contact = if n % 2 == 0 { "c1" } else { "c2" };
        let one = ticket(next_id(&store).await, contact, "k1", status, at(second));
        ok(store.create_ticket(&one, &[], None).await, "create_ticket");
        made.push(one);
    }
    made.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let filters = [
        TicketFilter::default(),
        TicketFilter { status: Some(TicketStatus::Done), ..Default::default() },
        TicketFilter { contact_id: Some("c1".into()), ..Default::default() },
        TicketFilter { client_id: Some("k1".into()), status: Some(TicketStatus::New), ..Default::default() },
    ];
    for filter in filters {
        let expected: Vec<u64> = made.iter().filter(|t| filter.matches(t)).map(|t| t.id).collect();
        for limit in [1, 2, 4, 9] {
            let paged: Vec<u64> = every_page(&store, &filter, limit).await.iter().map(|t| t.id).collect();
            assert_eq!(paged, expected, "pages of {limit} of {filter:?}");
        }
    }
    // A cursor past the end gives an empty last page.
    let past = Position { at: at(0), id: "0".into() };
    let page = ok(store.list_tickets(&TicketFilter::default(), Some(&past), 5).await, "list_tickets");
    assert_eq!((page.items.len(), page.next), (0, None), "nothing after the oldest");
}

/// Every call-me request in any state.
async fn every_call_me<S: Stores>(store: &S) -> Vec<CallMeRequest> {
    ok(store.call_me_requests(&CallMeState::ALL, None, PAGE_MAX).await, "call_me_requests").items
}

pub async fn call_me_requests_via_commit_newest_first<S: Stores>(store: S) {
    assert!(every_call_me(&store).await.is_empty(), "no requests yet");
    assert_eq!(ok(store.open_call_me("c1", at(0)).await, "open_call_me"), None, "nothing open");
    let effect = |id: &str| Effect::RequestCallMe { id: id.into(), contact_id: "c1".into(), client_id: "k1".into() };
    ok(commit(&store, 1, ANNA, &[effect("r1")], at(10)).await, "a call-me request");
    ok(commit(&store, 2, ANNA, &[effect("r2")], at(20)).await, "another");
    let request = |id: &str, second: i64, state: CallMeState| CallMeRequest {
        id: id.into(),
        contact_id: "c1".into(),
        client_id: "k1".into(),
        created_at: at(second),
        state,
        done: None,
    };
    assert_eq!(
        every_call_me(&store).await,
        vec![request("r2", 20, CallMeState::New), request("r1", 10, CallMeState::New)],
        "requests newest first, new"
    );
    ok(store.mark_call_me_notified("r1").await, "mark_call_me_notified");
    assert_eq!(
        every_call_me(&store).await,
        vec![request("r2", 20, CallMeState::New), request("r1", 10, CallMeState::ManagerNotified)],
        "a request the manager got"
    );
    ok(store.mark_call_me_notified("r9").await, "marking a request that does not exist");
    assert_eq!(every_call_me(&store).await.len(), 2, "marking makes no request");
    let first_page = ok(store.call_me_requests(&CallMeState::ALL, None, 1).await, "call_me_requests");
    assert_eq!(first_page.items, vec![request("r2", 20, CallMeState::New)], "a page of one");
    let second_page =
        ok(store.call_me_requests(&CallMeState::ALL, first_page.next.as_ref(), 1).await, "call_me_requests");
    assert_eq!(second_page.items, vec![request("r1", 10, CallMeState::ManagerNotified)], "the next page");
    assert_eq!(
        ok(store.open_call_me("c1", at(0)).await, "open_call_me"),
        Some(request("r2", 20, CallMeState::New)),
        "the newest open request"
    );
    assert_eq!(ok(store.open_call_me("c2", at(0)).await, "open_call_me"), None, "another contact has none");

    // Done: once, by whoever marked it first; done requests are not open and not notified again.
    let by = Actor::Employee("e1".into());
    ok(store.mark_call_me_done("r2", at(30), &by).await, "mark_call_me_done");
    ok(store.mark_call_me_done("r2", at(40), &Actor::Api).await, "marking done again");
    ok(store.mark_call_me_notified("r2").await, "a late notice of a done request");
    let done =
        CallMeRequest { state: CallMeState::Done, done: Some((at(30), by)), ..request("r2", 20, CallMeState::New) };
    assert_eq!(ok(store.call_me("r2").await, "call_me"), Some(done.clone()), "done stays done, first marking kept");
    assert_eq!(
        ok(store.call_me_requests(&[CallMeState::Done], None, 10).await, "call_me_requests").items,
        vec![done],
        "listed as done"
    );
    let open = [CallMeState::New, CallMeState::ManagerNotified];
    assert_eq!(
        ok(store.call_me_requests(&open, None, 10).await, "call_me_requests").items,
        vec![request("r1", 10, CallMeState::ManagerNotified)],
        "the open ones"
    );
    assert_eq!(
        ok(store.open_call_me("c1", at(0)).await, "open_call_me").map(|r| r.id),
        Some("r1".to_owned()),
        "the done one is not open"
    );
    assert_eq!(ok(store.open_call_me("c1", at(11)).await, "open_call_me"), None, "one made before `since` is not read");
    conflict(store.mark_call_me_done("r9", at(50), &Actor::Api).await, "marking a request that does not exist");
    assert_eq!(ok(store.call_me("r9").await, "call_me"), None, "and none is made");
}

pub async fn sent_notices_are_remembered<S: Stores>(store: S) {
    let key = "ev1#contact:c1";
    assert!(!ok(store.already_sent(key).await, "already_sent"), "nothing sent yet");
    ok(store.mark_sent(key, at(0)).await, "mark_sent");
    assert!(ok(store.already_sent(key).await, "already_sent"), "a sent notice is remembered");
    assert!(!ok(store.already_sent("ev1#contact:c2").await, "already_sent"), "other notices are not");
    ok(store.mark_sent(key, at(1)).await, "marking again is no error");
    assert!(ok(store.already_sent(key).await, "already_sent"), "still remembered");
}

pub async fn messages_are_remembered_per_chat<S: Stores>(store: S) {
    let (anna, boris) = (ANNA as i64, BORIS as i64);
    assert_eq!(remembered_ticket(&store, anna, 17).await, None, "nothing remembered yet");
    ok(store.remember_message(anna, 17, 42, at(0)).await, "remember_message");
    assert_eq!(remembered_ticket(&store, anna, 17).await, Some(42), "read back at once");
    assert_eq!(remembered_ticket(&store, boris, 17).await, None, "message ids are per chat");
    assert_eq!(remembered_ticket(&store, anna, 18).await, None, "another message is not");
    ok(store.remember_message(anna, 17, 42, at(1)).await, "remembering again is no error");
    assert_eq!(remembered_ticket(&store, anna, 17).await, Some(42));
}

/// What a client's messages became is remembered in the commit that takes them (so an edit can
/// correct it), all or nothing with it; a correction's journal entry lands with its comment.
pub async fn a_commit_remembers_the_messages_it_takes_and_journals_a_correction<S: Stores>(store: S) {
    let chat = ANNA as i64;
    let id = next_id(&store).await;
    let made = [
        Effect::CreateTicket(new_ticket(id, vec![])),
        Effect::RememberMessages { ticket_id: id, messages: vec![31, 32, 31] },
    ];
    ok(commit(&store, 1, ANNA, &made, at(0)).await, "a ticket made of two messages");
    assert_eq!(remembered_ticket(&store, chat, 31).await, Some(id));
    assert_eq!(remembered_ticket(&store, chat, 32).await, Some(id));
    assert_eq!(remembered_ticket(&store, BORIS as i64, 31).await, None, "per chat");

    // A commit that fails (the ticket number is taken) remembers nothing.
    conflict(
        commit(
            &store,
            2,
            ANNA,
            &[made[0].clone(), Effect::RememberMessages { ticket_id: id, messages: vec![33] }],
            at(1),
        )
        .await,
        "a taken number",
    );
    assert_eq!(remembered_ticket(&store, chat, 33).await, None, "all or nothing");

    let correction = new_comment(id, "c3", "c1", false, "✏️ Исправлено: С утра не уходят письма и не приходят");
    let corrected = [
        Effect::AddComment(correction.clone()),
        Effect::Corrected { ticket_id: id, message_id: 31, comment_id: "c3".into(), contact_id: "c1".into() },
    ];
    ok(commit(&store, 3, ANNA, &corrected, at(2)).await, "a correction");
    let stored = details(&store, id).await;
    assert_eq!(stored.comments, vec![correction.record(at(2))]);
    let entry = crate::dialogue::correction_entry("c1", 31, "c3", false, at(2));
    assert!(stored.journal.contains(&entry), "the journal names the edit: {:?}", stored.journal);
    let remembered = ok(store.message_ticket(chat, 31).await, "message_ticket");
    assert_eq!(remembered.and_then(|m| m.correction), Some(("c3".into(), at(2))), "the correction is remembered");

    // Edited again: the correction's comment is revised, by its author only.
    let revise = |contact_id: &str| Effect::Revised {
        ticket_id: id,
        message_id: 31,
        comment_id: "c3".into(),
        contact_id: contact_id.into(),
        text: "✏️ Исправлено: С утра не уходят письма".into(),
    };
    conflict(commit(&store, 4, BORIS, &[revise("c2")], at(3)).await, "another's comment");
    ok(commit(&store, 5, ANNA, &[revise("c1")], at(4)).await, "a revision");
    let stored = details(&store, id).await;
    let texts: Vec<&str> = stored.comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["✏️ Исправлено: С утра не уходят письма"], "one comment, revised");
    let entry = crate::dialogue::correction_entry("c1", 31, "c3", true, at(4));
    assert!(stored.journal.contains(&entry), "the journal names the revision: {:?}", stored.journal);
    let remembered = ok(store.message_ticket(chat, 31).await, "message_ticket");
    assert_eq!(remembered.and_then(|m| m.correction), Some(("c3".into(), at(4))), "the window slides");
}

/// An upload is read back as put; the write that takes it marks it used, and a second write
/// that would take it is refused whole (the comment is not written).
pub async fn an_upload_is_taken_once_with_the_write_that_takes_it<S: Stores>(store: S) {
    let upload = Upload {
        id: "0123456789abcdef0123456789abcdef".into(),
        name: "Акт №17.pdf".into(),
        content_type: "application/pdf".into(),
        size: 48213,
        key: "uploads/0123456789abcdef0123456789abcdef".into(),
        created_at: at(0),
        // Whole seconds: the TTL attribute's unit.
        expires_at: DateTime::from_timestamp((at(0) + Duration::hours(24)).timestamp(), 0).expect("a time"),
        used_by: None,
    };
    let ids = vec![upload.id.clone(), "ffffffffffffffffffffffffffffffff".into()];
    assert!(ok(store.uploads(&ids).await, "uploads").is_empty(), "nothing yet");
    ok(store.put_upload(&upload).await, "put_upload");
    assert_eq!(ok(store.uploads(&ids).await, "uploads"), vec![upload.clone()], "the one there is");

    let id = next_id(&store).await;
    ok(store.create_ticket(&ticket(id, "c1", "k1", TicketStatus::New, at(0)), &[], None).await, "create_ticket");
    let comment = |comment_id: &str| Comment {
        id: comment_id.into(),
        ticket_id: id,
        author_kind: AuthorKind::Employee,
        author_id: "e1".into(),
        author_name: "Иван".into(),
        text: "Акт".into(),
        internal: false,
        created_at: at(1),
    };
    let attached = Attached { files: vec![file("akt.pdf")], uploads: vec![upload.id.clone()] };
    ok(store.add_comment_with(&comment("x1"), None, &attached).await, "a comment taking the upload");
    let used = ok(store.uploads(&ids[..1]).await, "uploads");
    assert_eq!(used[0].used_by.as_deref(), Some(format!("comment:{id}/x1").as_str()), "marked used by it");
    conflict(store.add_comment_with(&comment("x2"), None, &attached).await, "the upload taken twice");
    let stored = details(&store, id).await;
    assert_eq!(stored.comments.len(), 1, "the second comment is not written");
    assert_eq!(stored.attachments.len(), 1);
}

/// The ticket a message is remembered as about.
async fn remembered_ticket<S: Stores>(store: &S, chat_id: i64, message_id: i64) -> Option<u64> {
    ok(store.message_ticket(chat_id, message_id).await, "message_ticket").map(|m| m.ticket_id)
}

fn failed_notice(key: &str, sequence: &str, reason: FailureReason, seconds: i64) -> FailedNotice {
    FailedNotice {
        notice: Outgoing {
            key: key.into(),
            user: ANNA,
            html: "<b>Заявка #7</b>\n\nСтатус: В работе &amp; «ещё»".into(),
            url: Some("https://desk.example.com/tickets/7".into()),
            sequence: sequence.into(),
            call_me: None,
            menu: Some(TicketCounts { active: 0, completed: 3 }),
            rate: Some(7),
            ticket: Some(7),
            lang: crate::texts::Lang::En,
            files: vec![],
            actions: vec![crate::dialogue::Press::Staff(crate::dialogue::StaffAction::Done, 7, 3)],
        },
        reason,
        detail: "Telegram answered 401: Unauthorized".into(),
        failed_at: at(seconds),
    }
}

pub async fn failed_notices_are_kept_replaced_and_forgotten<S: Stores>(store: S) {
    assert!(ok(store.kept().await, "kept").is_empty(), "nothing kept yet");
    let first = failed_notice("ev1#contact:c1", "100000000000000000001", FailureReason::Unauthorized, 0);
    let mut second = failed_notice("ev2#employee:e1", "9", FailureReason::Timeout, 1);
    second.notice.url = None;
    second.notice.call_me = Some("r1".into());
    second.notice.files = vec![StoredFile {
        telegram: Some(crate::dialogue::TelegramFile {
            file_id: "AgACAgIAAxk".into(),
            kind: crate::dialogue::FileKind::Photo,
            name: "photo-1.jpg".into(),
        }),
        ..file("photo-1.jpg")
    }];
    second.notice.menu = None;
    second.notice.user = BORIS;
    ok(store.keep(&first).await, "keep");
    ok(store.keep(&second).await, "keep");
    ok(store.mark_sent("ev1#contact:c1", at(2)).await, "mark_sent");
    let mut kept = ok(store.kept().await, "kept");
    kept.sort_by(|a, b| a.notice.key.cmp(&b.notice.key));
    assert_eq!(kept, vec![first.clone(), second.clone()], "every field as kept; markers are not kept notices");

    let again = FailedNotice {
        reason: FailureReason::ServerError,
        detail: "502".into(),
        ..failed_notice("ev1#contact:c1", "100000000000000000001", FailureReason::ServerError, 5)
    };
    ok(store.keep(&again).await, "keeping again");
    let kept = ok(store.kept().await, "kept");
    assert_eq!(kept.len(), 2, "one notice, one kept copy");
    assert!(kept.contains(&again), "the latest failure replaces the kept one");

    ok(store.forget("ev1#contact:c1").await, "forget");
    assert_eq!(ok(store.kept().await, "kept"), vec![second], "forgotten");
    assert!(ok(store.already_sent("ev1#contact:c1").await, "already_sent"), "forgetting leaves the marker");
    ok(store.forget("ev1#contact:c1").await, "forgetting what is not kept is no error");
}

pub async fn unreachable_until_the_next_commit<S: Stores>(store: S) {
    ok(store.mark_unreachable(ANNA).await, "marking a user without a record");
    assert!(!ok(store.reach(ANNA).await, "reach").unreachable, "a user without a record is not marked");
    assert_eq!(load(&store, ANNA).await, UserRecord::default(), "marking makes no record");
    ok(commit(&store, 1, ANNA, &[], at(0)).await, "commit");
    assert!(!ok(store.reach(ANNA).await, "reach").unreachable, "a user is reachable at first");
    let before = load(&store, ANNA).await;
    ok(store.mark_unreachable(ANNA).await, "mark_unreachable");
    assert!(ok(store.reach(ANNA).await, "reach").unreachable, "marked");
    assert_eq!(load(&store, ANNA).await, before, "the mark leaves the record and its version");
    ok(commit_over(&store, 2, ANNA, &before, &State::Idle, &[], at(1)).await, "a commit over the record read before");
    assert!(!ok(store.reach(ANNA).await, "reach").unreachable, "the user wrote: reachable again");
    ok(commit(&store, 3, ANNA, &[Effect::Reachability { blocked: true }], at(2)).await, "the user blocks the bot");
    assert!(ok(store.reach(ANNA).await, "reach").unreachable, "a commit can mark the user");
    ok(commit(&store, 4, ANNA, &[Effect::Reachability { blocked: false }], at(3)).await, "the user unblocks it");
    assert!(!ok(store.reach(ANNA).await, "reach").unreachable, "reachable again");
}

/// The language a commit sets stays with every later commit of the record (rewritten whole),
/// and [`UserStore::reach`] reads it with the unreachable mark.
pub async fn the_language_is_kept_on_the_users_record<S: Stores>(store: S) {
    use crate::dialogue::Language;
    use crate::texts::Lang;
    assert_eq!(ok(store.reach(ANNA).await, "reach"), crate::ports::Reach::default(), "no record: nothing kept");
    let detected = Language { lang: Lang::En, chosen: false };
    ok(commit(&store, 1, ANNA, &[Effect::SetLanguage(detected)], at(0)).await, "commit");
    assert_eq!(load(&store, ANNA).await.language, Some(detected));
    ok(commit(&store, 2, ANNA, &[], at(1)).await, "a commit that sets no language");
    assert_eq!(load(&store, ANNA).await.language, Some(detected), "kept by a commit that does not set it");
    let chosen = Language { lang: Lang::Ru, chosen: true };
    ok(
        commit(&store, 3, ANNA, &[Effect::Reachability { blocked: true }, Effect::SetLanguage(chosen)], at(2)).await,
        "commit",
    );
    let reach = ok(store.reach(ANNA).await, "reach");
    let person = load(&store, ANNA).await.link.as_ref().map(Link::person);
    assert_eq!(reach, crate::ports::Reach { unreachable: true, language: Some(chosen), person });
}

// ---- DynamoDB's limits on a transaction ------------------------------------------------------

pub async fn a_commit_may_not_write_one_item_twice<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let twice = [
        Effect::CreateTicket(new_ticket(id, vec![file("a.jpg")])),
        Effect::AddFiles { ticket_id: id, comment_id: None, files: vec![file("a.jpg")] },
    ];
    let result = commit(&store, 1, ANNA, &twice, at(0)).await;
    assert!(
        matches!(result, Err(StoreError::Rejected(_))),
        "a commit writing one attachment twice is refused for good, as DynamoDB refuses it, got {result:?}"
    );
    assert_eq!(stored_ticket(&store, id).await, None, "the refused commit writes nothing");
    assert_eq!(load(&store, ANNA).await, UserRecord::default(), "not even the user's record");
    ok(commit(&store, 1, ANNA, &twice[..1], at(1)).await, "the same update without the repeat");
}

pub async fn a_commit_holds_at_most_100_items<S: Stores>(store: S) {
    let id = next_id(&store).await;
    let files = |count: usize| (0..count).map(|i| file(&format!("{i:03}.jpg"))).collect::<Vec<_>>();
    // The marker, the ticket, its files, its journal entry and the user's record.
    let result = commit(&store, 1, ANNA, &[Effect::CreateTicket(new_ticket(id, files(97)))], at(0)).await;
    assert!(
        matches!(result, Err(StoreError::Rejected(_))),
        "a commit of 101 items is refused for good, as DynamoDB refuses it, got {result:?}"
    );
    assert_eq!(stored_ticket(&store, id).await, None, "the refused commit writes nothing");
    ok(commit(&store, 1, ANNA, &[Effect::CreateTicket(new_ticket(id, files(96)))], at(1)).await, "100 items");
    assert_eq!(details(&store, id).await.attachments.len(), 96, "every file is attached");
}

/// An id too long to be a key, or an empty one where it is an index's key, is refused as a
/// request the store will never take (DynamoDB's `ValidationException`): not found missing, and
/// not a passing fault. Callers validate ids where they enter; the memory store refuses what
/// DynamoDB refuses.
pub async fn a_key_that_cannot_be_one_is_refused_not_looked_up<S: Stores>(store: S) {
    let long = "x".repeat(3000);
    assert!(matches!(store.get_contact(&long).await, Err(StoreError::Rejected(_))), "get_contact");
    assert!(matches!(store.get_employee(&long).await, Err(StoreError::Rejected(_))), "get_employee");
    assert!(matches!(store.get_client(&long).await, Err(StoreError::Rejected(_))), "get_client");
    // (An index key over 2,048 bytes is refused by DynamoDB, but not by DynamoDB Local: the
    // memory store refuses it as DynamoDB does, and the contract checks the empty one.)
    let by_contact = TicketFilter { contact_id: Some(String::new()), ..TicketFilter::default() };
    let listed = store.list_tickets(&by_contact, None, 10).await;
    assert!(matches!(listed, Err(StoreError::Rejected(_))), "list_tickets of an empty contact: {listed:?}");
    // An empty id is part of a key with its prefix, and names nothing; an ordinary one likewise.
    assert_eq!(ok(store.get_contact("").await, "get_contact"), None);
    assert_eq!(ok(store.get_contact("nobody").await, "get_contact"), None);
}
