//! The store ports in memory, for the fast tier: the same conditions, atomicity and ordering as
//! the DynamoDB adapter (the [`crate::test_util::contract`] suite holds both to it), plus injected faults
//! and a count of round trips for tests of callers.
//!
//! A transaction is a [`crate::plan`] (the one owner of what every write writes and on what
//! condition, which the DynamoDB adapter applies too); as DynamoDB does, it is refused whole if
//! it touches an item twice or holds too many items, cancelled whole if any condition fails on
//! the state before it, and applied whole otherwise.

use crate::dialogue::{
    AlbumTarget, ContactMatch, EmployeeMatch, Language, PhoneMatches, State, TicketSummary, UserRecord,
};
use crate::domain::{
    Actor, Attachment, CallMeRequest, CallMeState, Client, Comment, Contact, Employee, JournalEntry, Link, Person,
    Rating, TelegramUserId, Ticket, TicketDetails, TicketStatus,
};
use crate::phone::Phone;
use crate::plan::{self, Write};
use crate::ports::{
    AlbumClaims, Attached, CallMeRequests, Commit, Directory, FailedNotice, FailedNotices, KeptResult, KeptResults,
    MessageTickets, Page, Position, RatedWork, Reach, RememberedMessage, SentNotices, StoreError, TicketFilter,
    TicketStore, Upload, Uploads, UserStore, KEY_TEXT_MAX, PUT_CONTACTS_MAX,
};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// DynamoDB's limit on the items of one transaction.
const MAX_TRANSACTION_ITEMS: usize = 100;

/// A port method, as counted and as faults are aimed at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    LoadUser,
    CommittedResponse,
    CountFailedAttempt,
    Commit,
    Reach,
    MarkUnreachable,
    AlbumClaim,
    GetClient,
    PutClient,
    GetContact,
    PutContact,
    GetContacts,
    PutContacts,
    GetEmployee,
    PutEmployee,
    FindByPhone,
    NextTicketId,
    Ticket,
    Comment,
    AssignedTickets,
    ContactTickets,
    CreateTicket,
    TicketDetails,
    ListTickets,
    Ratings,
    UpdateTicket,
    AddComment,
    KeptResult,
    PutUpload,
    Uploads,
    CallMeRequests,
    MarkCallMeNotified,
    MarkCallMeDone,
    AlreadySent,
    MarkSent,
    RememberMessage,
    MessageTicket,
    Keep,
    Kept,
    Forget,
}

/// What an injected fault makes the next call of an [`Operation`] do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The store cannot be reached: nothing happens, the call returns `Unavailable`.
    Unavailable,
    /// A concurrent change won: nothing happens, the call returns `Conflict`.
    Conflict,
    /// The call takes effect but its answer is lost on the way back (a timeout after the write
    /// landed): the call returns `Unavailable`, and a retried commit then meets its own marker.
    LostReply,
    /// The store refuses the request for good (as DynamoDB refuses an item over 400 KB): nothing
    /// happens, the call returns `Rejected`.
    Rejected,
}

/// The error an injected `Unavailable` carries.
#[derive(Debug, thiserror::Error)]
#[error("fault injected by the test")]
pub struct InjectedFault;

/// Every store port in memory. Clones share the data: a test keeps one to aim faults and read
/// counts while the code under test holds another.
#[derive(Debug, Clone, Default)]
pub struct InMemoryStore {
    shared: Arc<Mutex<Shared>>,
}

#[derive(Debug, Default)]
struct Shared {
    data: Data,
    faults: HashMap<Operation, VecDeque<Fault>>,
    calls: HashMap<Operation, u64>,
    round_trips: u64,
}

impl InMemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// The next call of `operation` fails (or loses its answer) as `fault` says. Faults queue
    /// per operation and are used up in the order given.
    pub fn fail_next(&self, operation: Operation, fault: Fault) {
        self.fail_next_n(operation, fault, 1);
    }

    /// The next `times` calls of `operation` meet `fault`.
    pub fn fail_next_n(&self, operation: Operation, fault: Fault, times: usize) {
        self.lock().faults.entry(operation).or_default().extend(std::iter::repeat_n(fault, times));
    }

    /// Faults queued for `operation` and not met yet.
    pub fn pending_faults(&self, operation: Operation) -> usize {
        self.lock().faults.get(&operation).map_or(0, VecDeque::len)
    }

    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// How many times `operation` was called (failed calls included).
    pub fn calls(&self, operation: Operation) -> u64 {
        self.lock().calls.get(&operation).copied().unwrap_or(0)
    }

    /// The DynamoDB requests the same calls would have made (failed ones included): one per
    /// call, two for a `find_by_phone` that reads company names.
    pub fn round_trips(&self) -> u64 {
        self.lock().round_trips
    }

    /// Starts the counts of [`Self::calls`] and [`Self::round_trips`] over.
    pub fn reset_counts(&self) {
        let mut shared = self.lock();
        shared.calls.clear();
        shared.round_trips = 0;
    }

    /// A test that panicked while holding the lock leaves consistent data (every change is
    /// made whole under it), so later calls go on.
    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call of `operation`, meets its queued fault if any, else runs it on the data.
    fn run<T>(
        &self,
        operation: Operation,
        action: impl FnOnce(&mut Shared) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut shared = self.lock();
        *shared.calls.entry(operation).or_default() += 1;
        shared.round_trips += 1;
        match shared.faults.get_mut(&operation).and_then(VecDeque::pop_front) {
            None => action(&mut shared),
            Some(Fault::Unavailable) => Err(injected()),
            Some(Fault::Conflict) => Err(StoreError::Conflict),
            Some(Fault::Rejected) => Err(StoreError::rejected("fault injected by the test")),
            Some(Fault::LostReply) => {
                // Whatever the call did, its caller does not learn it.
                let _ = action(&mut shared);
                Err(injected())
            }
        }
    }
}

fn injected() -> StoreError {
    StoreError::Unavailable(Box::new(InjectedFault))
}

// ---- The data: one map per kind of item ------------------------------------------------

#[derive(Debug, Default)]
struct Data {
    users: HashMap<TelegramUserId, UserItem>,
    /// Committed updates, with the response kept with each.
    update_markers: HashMap<u64, Option<String>>,
    failed_attempts: HashMap<u64, u32>,
    ticket_counter: u64,
    /// Per chat: (user, `media_group_id`).
    albums: HashMap<(TelegramUserId, String), AlbumTarget>,
    sent_notices: HashSet<String>,
    /// By (chat, message id): the ticket a message the bot sent is about.
    message_tickets: HashMap<(i64, i64), RememberedMessage>,
    failed_notices: HashMap<String, FailedNotice>,
    clients: HashMap<String, Client>,
    contacts: HashMap<String, Contact>,
    employees: HashMap<String, Employee>,
    /// Ticket partitions: the ticket and the items filed under its id (which, as in DynamoDB,
    /// may exist without the ticket item).
    tickets: HashMap<u64, Partition>,
    call_me: HashMap<String, CallMeRequest>,
    /// Each rated ticket's latest rating.
    ratings: HashMap<u64, RatedWork>,
    /// Staff API results by their idempotency key.
    kept_results: HashMap<String, KeptResult>,
    uploads: HashMap<String, Upload>,
}

/// A Telegram user's record as a commit writes it whole.
#[derive(Debug, Clone)]
struct UserItem {
    link: Option<Link>,
    state: State,
    version: u64,
    unreachable: bool,
    language: Option<Language>,
}

#[derive(Debug, Default)]
struct Partition {
    ticket: Option<Ticket>,
    comments: HashMap<String, CommentItem>,
    /// By object key, in the order DynamoDB returns `ATT#<key>` sort keys (bytes).
    attachments: BTreeMap<String, Attachment>,
    /// By `<at>#<seq>`, in the order DynamoDB returns `LOG#<at>#<seq>` sort keys (bytes).
    journal: BTreeMap<String, JournalEntry>,
}

/// A comment item. `text` is its own attribute (absent when empty, set once by an album's
/// caption); `record` is `None` for an item that holds a caption alone (see
/// [`Write::SetCommentText`]), which reads as malformed, as it does from DynamoDB.
#[derive(Debug, Clone)]
struct CommentItem {
    record: Option<Comment>,
    text: Option<String>,
}

impl CommentItem {
    fn new(comment: Comment) -> Self {
        let text = Some(comment.text.clone()).filter(|t| !t.is_empty());
        CommentItem { record: Some(comment), text }
    }

    fn read(&self) -> Result<Comment, StoreError> {
        let record = self.record.as_ref().ok_or_else(|| StoreError::Corrupt("attribute id missing".into()))?;
        Ok(Comment { text: self.text.clone().unwrap_or_default(), ..record.clone() })
    }
}

impl Data {
    fn ticket(&self, id: u64) -> Option<&Ticket> {
        self.tickets.get(&id).and_then(|p| p.ticket.as_ref())
    }

    /// Who wrote a comment that is there (`None` when it is not, or holds a caption alone).
    fn comment_author(&self, ticket_id: u64, comment_id: &str) -> Option<&String> {
        let item = self.tickets.get(&ticket_id)?.comments.get(comment_id)?;
        item.record.as_ref().map(|comment| &comment.author_id)
    }

    /// The summaries of the tickets that match, newest first (as the indexes list them).
    fn summaries(&self, matches: impl Fn(&Ticket) -> bool) -> Vec<TicketSummary> {
        let mut tickets: Vec<Ticket> =
            self.tickets.values().filter_map(|p| p.ticket.clone()).filter(|t| matches(t)).collect();
        newest_first(&mut tickets);
        tickets.into_iter().map(|t| TicketSummary { id: t.id, subject: t.subject, status: t.status }).collect()
    }

    fn ticket_mut(&mut self, id: u64) -> Option<&mut Ticket> {
        self.tickets.get_mut(&id).and_then(|p| p.ticket.as_mut())
    }

    fn partition(&mut self, id: u64) -> &mut Partition {
        self.tickets.entry(id).or_default()
    }

    /// The Telegram user linked to a directory entry; `None` for no link or no entry.
    fn linked_user(&self, person: &Person) -> Option<TelegramUserId> {
        match person {
            Person::Contact(id) => self.contacts.get(id).and_then(|c| c.telegram_user),
            Person::Employee(id) => self.employees.get(id).and_then(|e| e.telegram_user),
        }
    }

    fn set_linked_user(&mut self, person: &Person, user: Option<TelegramUserId>) {
        match person {
            Person::Contact(id) => {
                if let Some(contact) = self.contacts.get_mut(id) {
                    contact.telegram_user = user;
                }
            }
            Person::Employee(id) => {
                if let Some(employee) = self.employees.get_mut(id) {
                    employee.telegram_user = user;
                }
            }
        }
    }

    fn user_linked_to(&self, user: TelegramUserId, person: &Person) -> bool {
        self.users.get(&user).and_then(|u| u.link.as_ref()).is_some_and(|link| &link.person() == person)
    }

    /// Applies a transaction the way DynamoDB does: refused if it touches an item twice or is
    /// too large; cancelled if any condition fails (`Duplicate` when the first write is an
    /// update marker or a kept result that exists, else `Conflict`); otherwise applied whole.
    fn transact(&mut self, writes: Vec<Write>) -> Result<(), StoreError> {
        if writes.len() > MAX_TRANSACTION_ITEMS {
            return Err(StoreError::rejected("a transaction holds at most 100 items"));
        }
        let mut touched = HashSet::new();
        if !writes.iter().all(|write| touched.insert(item_of(write))) {
            return Err(StoreError::rejected("a transaction touches one item twice"));
        }
        let held: Vec<bool> = writes.iter().map(|write| holds(write, self)).collect();
        if plan::first_means_duplicate(&writes) && held.first() == Some(&false) {
            return Err(StoreError::Duplicate);
        }
        if held.contains(&false) {
            return Err(StoreError::Conflict);
        }
        for write in writes {
            apply(write, self);
        }
        Ok(())
    }
}

// ---- Transactions ------------------------------------------------------------------------

/// The item a write touches (two writes of one transaction may not touch the same one).
#[derive(Debug, PartialEq, Eq, Hash)]
enum ItemKey {
    Marker(u64),
    User(TelegramUserId),
    Person(Person),
    Album(TelegramUserId, String),
    Ticket(u64),
    Comment(u64, String),
    Attachment(u64, String),
    Journal(u64, String),
    CallMe(String),
    KeptResult(String),
    Rating(u64),
    MessageTicket(i64, i64),
    Upload(String),
}

/// A journal entry's place in its ticket: `tag` tells apart entries of one moment.
fn journal_sort_key(entry: &JournalEntry, tag: &str) -> String {
    format!("{}#{tag}", entry.at)
}

/// The item `write` touches.
fn item_of(write: &Write) -> ItemKey {
    match write {
        Write::Marker { update_id, .. } => ItemKey::Marker(*update_id),
        Write::PutUser(record) => ItemKey::User(record.user),
        Write::UnlinkUser { user, .. } | Write::RelinkUser { user, .. } => ItemKey::User(*user),
        Write::LinkEntry { person, .. } | Write::UnlinkEntry { person, .. } => ItemKey::Person(person.clone()),
        Write::PutContact { contact, .. } => ItemKey::Person(Person::Contact(contact.id.clone())),
        Write::PutEmployee { employee, .. } => ItemKey::Person(Person::Employee(employee.id.clone())),
        Write::PutTicket { ticket, .. } | Write::UpdateTicket(ticket) => ItemKey::Ticket(ticket.id),
        Write::RateTicket { rating, .. } => ItemKey::Ticket(rating.ticket_id),
        Write::PutRating { work, .. } => ItemKey::Rating(work.ticket_id),
        Write::CancelTicket { ticket_id, .. }
        | Write::SetSubject { ticket_id, .. }
        | Write::TicketExists(ticket_id)
        | Write::MayComment { ticket_id, .. } => ItemKey::Ticket(*ticket_id),
        Write::PutComment { comment, .. } => ItemKey::Comment(comment.ticket_id, comment.id.clone()),
        Write::SetCommentText { ticket_id, comment_id, .. } | Write::ReviseComment { ticket_id, comment_id, .. } => {
            ItemKey::Comment(*ticket_id, comment_id.clone())
        }
        Write::NoteCorrection { chat_id, message_id, .. } => ItemKey::MessageTicket(*chat_id, *message_id),
        Write::UseUpload { id, .. } => ItemKey::Upload(id.clone()),
        Write::OwnedBy { ticket_id, comment_id: Some(comment_id), .. } => {
            ItemKey::Comment(*ticket_id, comment_id.clone())
        }
        Write::OwnedBy { ticket_id, comment_id: None, .. } => ItemKey::Ticket(*ticket_id),
        Write::PutAttachment { ticket_id, attachment, .. } => ItemKey::Attachment(*ticket_id, attachment.key.clone()),
        Write::PutJournal { ticket_id, entry, tag } => ItemKey::Journal(*ticket_id, journal_sort_key(entry, tag)),
        Write::PutAlbum { user, album, .. } => ItemKey::Album(*user, album.clone()),
        Write::PutCallMe(request) => ItemKey::CallMe(request.id.clone()),
        Write::PutMessageTicket { chat_id, message_id, .. } => ItemKey::MessageTicket(*chat_id, *message_id),
        Write::KeepResult(result) => ItemKey::KeptResult(result.key.clone()),
    }
}

/// Whether the write's condition holds on `data`.
fn holds(write: &Write, data: &Data) -> bool {
    match write {
        Write::Marker { update_id, .. } => !data.update_markers.contains_key(update_id),
        Write::PutUser(record) => match data.users.get(&record.user) {
            None => record.read_version == 0,
            Some(stored) => record.read_version != 0 && stored.version == record.read_version,
        },
        Write::UnlinkUser { user, person } => data.user_linked_to(*user, person),
        Write::RelinkUser { user, link } => data.user_linked_to(*user, &link.person()),
        Write::LinkEntry { person, held_by, .. } => {
            let available = match person {
                Person::Contact(id) => data.contacts.get(id).is_some_and(|c| c.active),
                Person::Employee(id) => data.employees.get(id).is_some_and(|e| e.active),
            };
            available && data.linked_user(person) == *held_by
        }
        Write::UnlinkEntry { person, me } => data.linked_user(person) == Some(*me),
        Write::PutContact { contact, linked_as_read, .. } => {
            data.linked_user(&Person::Contact(contact.id.clone())) == *linked_as_read
        }
        Write::PutEmployee { employee, linked_as_read } => {
            data.linked_user(&Person::Employee(employee.id.clone())) == *linked_as_read
        }
        Write::PutTicket { ticket, .. } => data.ticket(ticket.id).is_none(),
        Write::UpdateTicket(ticket) => {
            data.ticket(ticket.id).is_some_and(|stored| Some(stored.version) == ticket.version.checked_sub(1))
        }
        Write::CancelTicket { ticket_id, contact_id, .. } => {
            data.ticket(*ticket_id).is_some_and(|t| &t.contact_id == contact_id && t.status.is_active())
        }
        Write::RateTicket { rating, at } => data.ticket(rating.ticket_id).is_some_and(|t| {
            t.contact_id == rating.contact_id
                && t.rating_open(*at)
                && t.rating.map(|r| r.at) == rating.previous.map(|r| r.at)
        }),
        Write::SetSubject { ticket_id, placeholder, contact_id, .. } => {
            data.ticket(*ticket_id).is_some_and(|t| &t.subject == placeholder && &t.contact_id == contact_id)
        }
        Write::OwnedBy { ticket_id, comment_id: None, owner } => {
            data.ticket(*ticket_id).is_some_and(|t| &t.contact_id == owner)
        }
        Write::OwnedBy { ticket_id, comment_id: Some(comment_id), owner } => {
            data.comment_author(*ticket_id, comment_id) == Some(owner)
        }
        Write::TicketExists(ticket_id) => data.ticket(*ticket_id).is_some(),
        Write::MayComment { ticket_id, contact_id, on_completed } => data.ticket(*ticket_id).is_some_and(|t| {
            &t.contact_id == contact_id && if *on_completed { t.status.is_completed() } else { t.status.is_active() }
        }),
        Write::PutComment { comment, if_absent, .. } => {
            !*if_absent || !data.tickets.get(&comment.ticket_id).is_some_and(|p| p.comments.contains_key(&comment.id))
        }
        Write::PutAlbum { user, album, if_absent, .. } => {
            !*if_absent || !data.albums.contains_key(&(*user, album.clone()))
        }
        // The sender's own comment, and one that is there (never a partial item).
        Write::SetCommentText { ticket_id, comment_id, author_id, .. }
        | Write::ReviseComment { ticket_id, comment_id, author_id, .. } => {
            data.comment_author(*ticket_id, comment_id) == Some(author_id)
        }
        Write::UseUpload { id, .. } => data.uploads.get(id).is_some_and(|u| u.used_by.is_none()),
        Write::NoteCorrection { chat_id, message_id, .. } => {
            data.message_tickets.contains_key(&(*chat_id, *message_id))
        }
        Write::PutAttachment { .. }
        | Write::PutJournal { .. }
        | Write::PutCallMe(_)
        | Write::PutRating { .. }
        | Write::PutMessageTicket { .. } => true,
        Write::KeepResult(result) => data
            .kept_results
            .get(&result.key)
            .is_none_or(|kept| kept.expires_at.timestamp() <= result.created_at.timestamp()),
    }
}

/// Makes the write (its condition was checked).
fn apply(write: Write, data: &mut Data) {
    match write {
        Write::Marker { update_id, response, .. } => {
            data.update_markers.insert(update_id, response);
        }
        Write::PutUser(record) => {
            let item = UserItem {
                link: record.link,
                state: record.state,
                version: record.version,
                unreachable: record.unreachable,
                language: record.language,
            };
            data.users.insert(record.user, item);
        }
        Write::UnlinkUser { user, .. } => {
            if let Some(stored) = data.users.get_mut(&user) {
                stored.link = None;
                stored.version += 1;
            }
        }
        Write::RelinkUser { user, link } => {
            if let Some(stored) = data.users.get_mut(&user) {
                stored.link = Some(link);
                stored.version += 1;
            }
        }
        Write::LinkEntry { person, me, .. } => data.set_linked_user(&person, Some(me)),
        Write::UnlinkEntry { person, .. } => data.set_linked_user(&person, None),
        Write::PutContact { contact, .. } => {
            data.contacts.insert(contact.id.clone(), contact);
        }
        Write::PutEmployee { employee, .. } => {
            data.employees.insert(employee.id.clone(), employee);
        }
        Write::PutTicket { ticket, .. } => {
            let id = ticket.id;
            data.partition(id).ticket = Some(ticket);
        }
        Write::UpdateTicket(ticket) => {
            if let Some(stored) = data.ticket_mut(ticket.id) {
                stored.status = ticket.status;
                stored.version = ticket.version;
                stored.updated_at = ticket.updated_at;
                stored.changed_by = ticket.changed_by;
                // The adapter stores a missing name as empty text beside an assignee.
                stored.assignee_name = ticket.assignee_id.as_ref().map(|_| ticket.assignee_name.unwrap_or_default());
                stored.assignee_id = ticket.assignee_id;
                stored.deadline = ticket.deadline;
                stored.completed_at = ticket.completed_at;
            }
        }
        Write::RateTicket { rating, at } => {
            if let Some(stored) = data.ticket_mut(rating.ticket_id) {
                stored.rating = Some(Rating { score: rating.score, at });
                stored.low_score_told = rating.tells_low_of.or(stored.low_score_told);
            }
        }
        // One rating a ticket: the one of an earlier month is replaced.
        Write::PutRating { work, .. } => {
            data.ratings.insert(work.ticket_id, work);
        }
        Write::CancelTicket { ticket_id, contact_id, at } => {
            if let Some(stored) = data.ticket_mut(ticket_id) {
                stored.status = TicketStatus::Cancelled;
                stored.changed_by = Actor::Client(contact_id);
                stored.updated_at = at;
                stored.version += 1;
            }
        }
        Write::SetSubject { ticket_id, subject, message, .. } => {
            if let Some(stored) = data.ticket_mut(ticket_id) {
                stored.subject = subject;
                stored.message = message;
            }
        }
        Write::TicketExists(_) | Write::MayComment { .. } | Write::OwnedBy { .. } => {}
        Write::PutComment { comment, .. } => {
            data.partition(comment.ticket_id).comments.insert(comment.id.clone(), CommentItem::new(comment));
        }
        Write::SetCommentText { ticket_id, comment_id, text, .. } => {
            let item = data
                .partition(ticket_id)
                .comments
                .entry(comment_id)
                .or_insert(CommentItem { record: None, text: None });
            item.text.get_or_insert(text);
        }
        Write::PutAttachment { ticket_id, attachment, .. } => {
            data.partition(ticket_id).attachments.insert(attachment.key.clone(), attachment);
        }
        Write::PutJournal { ticket_id, entry, tag } => {
            let key = journal_sort_key(&entry, &tag);
            data.partition(ticket_id).journal.insert(key, entry);
        }
        Write::PutAlbum { user, album, target, .. } => {
            data.albums.insert((user, album), target);
        }
        Write::PutCallMe(request) => {
            data.call_me.insert(request.id.clone(), request);
        }
        Write::ReviseComment { ticket_id, comment_id, text, .. } => {
            if let Some(item) = data.partition(ticket_id).comments.get_mut(&comment_id) {
                item.text = Some(text).filter(|t| !t.is_empty());
            }
        }
        Write::UseUpload { id, by } => {
            if let Some(upload) = data.uploads.get_mut(&id) {
                upload.used_by = Some(by);
            }
        }
        Write::NoteCorrection { chat_id, message_id, comment_id, at } => {
            if let Some(remembered) = data.message_tickets.get_mut(&(chat_id, message_id)) {
                remembered.correction = Some((comment_id, at));
            }
        }
        Write::PutMessageTicket { chat_id, message_id, ticket_id, .. } => {
            data.message_tickets.insert((chat_id, message_id), RememberedMessage::of(ticket_id));
        }
        Write::KeepResult(result) => {
            data.kept_results.insert(result.key.clone(), result);
        }
    }
}

/// Refuses, as DynamoDB does, an id too long for a key ([`KEY_TEXT_MAX`]; an empty one is part
/// of a key with its prefix, and names nothing).
fn key_text(value: &str) -> Result<(), StoreError> {
    if value.len() > KEY_TEXT_MAX {
        return Err(StoreError::rejected(format!("ValidationException: a key of {} bytes", value.len())));
    }
    Ok(())
}

/// Refuses, as DynamoDB does, an index key value that is empty or too long.
fn index_key(value: &str) -> Result<(), StoreError> {
    if value.is_empty() || value.len() > KEY_TEXT_MAX {
        return Err(StoreError::rejected(format!(
            "ValidationException: a key value of {} bytes (1 to {KEY_TEXT_MAX})",
            value.len()
        )));
    }
    Ok(())
}

/// Newest first; ties by id, newest first.
fn newest_first(tickets: &mut [Ticket]) {
    tickets.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
}

// ---- The ports ----------------------------------------------------------------------------

impl UserStore for InMemoryStore {
    async fn load_user(&self, user_id: TelegramUserId) -> Result<UserRecord, StoreError> {
        self.run(Operation::LoadUser, |s| {
            Ok(s.data.users.get(&user_id).map_or_else(UserRecord::default, |u| UserRecord {
                link: u.link.clone(),
                state: u.state.clone(),
                version: u.version,
                language: u.language,
            }))
        })
    }

    async fn committed_response(&self, update_id: u64) -> Result<Option<String>, StoreError> {
        self.run(Operation::CommittedResponse, |s| Ok(s.data.update_markers.get(&update_id).cloned().flatten()))
    }

    async fn count_failed_attempt(&self, update_id: u64, _now: DateTime<Utc>) -> Result<u32, StoreError> {
        self.run(Operation::CountFailedAttempt, |s| {
            let count = s.data.failed_attempts.entry(update_id).or_default();
            *count += 1;
            Ok(*count)
        })
    }

    async fn commit(&self, commit: &Commit<'_>) -> Result<(), StoreError> {
        self.run(Operation::Commit, |s| s.data.transact(plan::commit(commit)))
    }

    async fn reach(&self, user: TelegramUserId) -> Result<Reach, StoreError> {
        self.run(Operation::Reach, |s| {
            Ok(s.data.users.get(&user).map_or_else(Reach::default, |u| Reach {
                unreachable: u.unreachable,
                language: u.language,
                person: u.link.as_ref().map(Link::person),
            }))
        })
    }

    /// Does not move the record's version: a dialogue step in flight is not disturbed.
    async fn mark_unreachable(&self, user: TelegramUserId) -> Result<(), StoreError> {
        self.run(Operation::MarkUnreachable, |s| {
            if let Some(stored) = s.data.users.get_mut(&user) {
                stored.unreachable = true;
            }
            Ok(())
        })
    }
}

impl AlbumClaims for InMemoryStore {
    async fn album_claim(&self, user: TelegramUserId, album: &str) -> Result<Option<AlbumTarget>, StoreError> {
        self.run(Operation::AlbumClaim, |s| Ok(s.data.albums.get(&(user, album.to_owned())).cloned()))
    }
}

impl Directory for InMemoryStore {
    async fn get_client(&self, id: &str) -> Result<Option<Client>, StoreError> {
        self.run(Operation::GetClient, |s| {
            key_text(id)?;
            Ok(s.data.clients.get(id).cloned())
        })
    }

    async fn put_client(&self, client: &Client) -> Result<(), StoreError> {
        self.run(Operation::PutClient, |s| {
            s.data.clients.insert(client.id.clone(), client.clone());
            Ok(())
        })
    }

    async fn get_contact(&self, id: &str) -> Result<Option<Contact>, StoreError> {
        self.run(Operation::GetContact, |s| {
            key_text(id)?;
            Ok(s.data.contacts.get(id).cloned())
        })
    }

    async fn put_contact(
        &self,
        contact: &Contact,
        linked_as_read: Option<TelegramUserId>,
        now: DateTime<Utc>,
    ) -> Result<Contact, StoreError> {
        self.run(Operation::PutContact, |s| {
            s.data.transact(plan::contact(contact, linked_as_read, now))?;
            Ok(contact.clone())
        })
    }

    async fn get_contacts(&self, ids: &[String]) -> Result<HashMap<String, Contact>, StoreError> {
        self.run(Operation::GetContacts, |s| {
            Ok(ids.iter().filter_map(|id| s.data.contacts.get(id).map(|c| (id.clone(), c.clone()))).collect())
        })
    }

    async fn put_contacts(
        &self,
        contacts: &[(Contact, Option<TelegramUserId>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Contact>, StoreError> {
        self.run(Operation::PutContacts, |s| {
            if contacts.len() > PUT_CONTACTS_MAX {
                return Err(StoreError::rejected(format!("at most {PUT_CONTACTS_MAX} contacts at once")));
            }
            let writes = contacts.iter().flat_map(|(contact, linked)| plan::contact(contact, *linked, now)).collect();
            s.data.transact(writes)?;
            Ok(contacts.iter().map(|(contact, _)| contact.clone()).collect())
        })
    }

    async fn get_employee(&self, id: &str) -> Result<Option<Employee>, StoreError> {
        self.run(Operation::GetEmployee, |s| {
            key_text(id)?;
            Ok(s.data.employees.get(id).cloned())
        })
    }

    async fn put_employee(
        &self,
        employee: &Employee,
        linked_as_read: Option<TelegramUserId>,
    ) -> Result<Employee, StoreError> {
        self.run(Operation::PutEmployee, |s| {
            s.data.transact(plan::employee(employee, linked_as_read))?;
            Ok(employee.clone())
        })
    }

    async fn find_by_phone(&self, phone: &Phone) -> Result<PhoneMatches, StoreError> {
        self.run(Operation::FindByPhone, |s| {
            let data = &s.data;
            let mut contacts: Vec<ContactMatch> = data
                .contacts
                .values()
                .filter(|c| &c.phone == phone)
                .map(|c| ContactMatch {
                    contact_id: c.id.clone(),
                    client_id: c.client_id.clone(),
                    client_name: String::new(),
                    name: c.name.clone(),
                    active: c.active,
                    linked_user: c.telegram_user,
                })
                .collect();
            let mut employees: Vec<EmployeeMatch> = data
                .employees
                .values()
                .filter(|e| e.phone.as_ref() == Some(phone))
                .map(|e| EmployeeMatch {
                    employee_id: e.id.clone(),
                    name: e.name.clone(),
                    active: e.active,
                    linked_user: e.telegram_user,
                })
                .collect();
            contacts.sort_by(|a, b| a.contact_id.cmp(&b.contact_id));
            employees.sort_by(|a, b| a.employee_id.cmp(&b.employee_id));
            // Company names are shown only when the user must choose between companies (the
            // adapter reads them in a second request).
            if contacts.iter().filter(|c| c.active).count() > 1 {
                s.round_trips += 1;
                for contact in &mut contacts {
                    contact.client_name = data
                        .clients
                        .get(&contact.client_id)
                        .map_or_else(|| contact.client_id.clone(), |client| client.name.clone());
                }
            }
            Ok(PhoneMatches { contacts, employees })
        })
    }
}

impl TicketStore for InMemoryStore {
    async fn next_ticket_id(&self) -> Result<u64, StoreError> {
        self.run(Operation::NextTicketId, |s| {
            s.data.ticket_counter += 1;
            Ok(s.data.ticket_counter)
        })
    }

    async fn ticket(&self, id: u64) -> Result<Option<Ticket>, StoreError> {
        self.run(Operation::Ticket, |s| Ok(s.data.ticket(id).cloned()))
    }

    async fn comment(&self, ticket_id: u64, comment_id: &str) -> Result<Option<Comment>, StoreError> {
        self.run(Operation::Comment, |s| {
            let item = s.data.tickets.get(&ticket_id).and_then(|p| p.comments.get(comment_id));
            item.filter(|item| item.record.is_some()).map(CommentItem::read).transpose()
        })
    }

    async fn assigned_tickets(&self, employee_id: &str) -> Result<Vec<TicketSummary>, StoreError> {
        self.run(Operation::AssignedTickets, |s| {
            Ok(s.data.summaries(|t| t.assignee_id.as_deref() == Some(employee_id) && t.status.is_active()))
        })
    }

    async fn contact_tickets(&self, contact_id: &str) -> Result<Vec<TicketSummary>, StoreError> {
        self.run(Operation::ContactTickets, |s| Ok(s.data.summaries(|t| t.contact_id == contact_id)))
    }

    async fn create_ticket_with(
        &self,
        ticket: &Ticket,
        journal: &[JournalEntry],
        once: Option<&KeptResult>,
        attached: &Attached,
    ) -> Result<(), StoreError> {
        self.run(Operation::CreateTicket, |s| s.data.transact(plan::new_ticket(ticket, journal, once, attached)))
    }

    async fn ticket_details(&self, id: u64) -> Result<Option<TicketDetails>, StoreError> {
        self.run(Operation::TicketDetails, |s| {
            let Some(partition) = s.data.tickets.get(&id) else { return Ok(None) };
            // Every item is read, so a malformed one fails the read even without a ticket.
            let mut comments = partition.comments.values().map(CommentItem::read).collect::<Result<Vec<_>, _>>()?;
            comments.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
            Ok(partition.ticket.clone().map(|ticket| TicketDetails {
                ticket,
                comments,
                attachments: partition.attachments.values().cloned().collect(),
                journal: partition.journal.values().cloned().collect(),
            }))
        })
    }

    async fn list_tickets(
        &self,
        filter: &TicketFilter,
        cursor: Option<&Position>,
        limit: usize,
    ) -> Result<Page<Ticket>, StoreError> {
        self.run(Operation::ListTickets, |s| {
            // A filter by contact or client is a key of its index.
            for value in [&filter.contact_id, &filter.client_id].into_iter().flatten() {
                index_key(value)?;
            }
            let tickets = s.data.tickets.values().filter_map(|p| p.ticket.clone()).filter(|t| filter.matches(t));
            Ok(Page::cut(tickets.collect(), cursor, limit, false))
        })
    }

    async fn update_ticket(&self, ticket: &Ticket, journal: &[JournalEntry]) -> Result<(), StoreError> {
        self.run(Operation::UpdateTicket, |s| s.data.transact(plan::ticket_change(ticket, journal)))
    }

    async fn ratings(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<RatedWork>, StoreError> {
        self.run(Operation::Ratings, |s| {
            Ok(s.data.ratings.values().filter(|w| from <= w.rating.at && w.rating.at < to).cloned().collect())
        })
    }

    async fn add_comment_with(
        &self,
        comment: &Comment,
        once: Option<&KeptResult>,
        attached: &Attached,
    ) -> Result<(), StoreError> {
        self.run(Operation::AddComment, |s| s.data.transact(plan::comment(comment, once, attached)))
    }
}

impl Uploads for InMemoryStore {
    async fn put_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        self.run(Operation::PutUpload, |s| {
            key_text(&upload.id)?;
            s.data.uploads.insert(upload.id.clone(), upload.clone());
            Ok(())
        })
    }

    async fn uploads(&self, ids: &[String]) -> Result<Vec<Upload>, StoreError> {
        self.run(Operation::Uploads, |s| {
            ids.iter().try_for_each(|id| key_text(id).map(drop))?;
            Ok(ids.iter().filter_map(|id| s.data.uploads.get(id).cloned()).collect())
        })
    }
}

impl KeptResults for InMemoryStore {
    async fn kept_result(&self, key: &str, now: DateTime<Utc>) -> Result<Option<KeptResult>, StoreError> {
        self.run(Operation::KeptResult, |s| {
            key_text(key)?;
            Ok(s.data.kept_results.get(key).filter(|r| r.expires_at > now).cloned())
        })
    }
}

impl CallMeRequests for InMemoryStore {
    async fn call_me_requests(
        &self,
        states: &[CallMeState],
        cursor: Option<&Position>,
        limit: usize,
    ) -> Result<Page<CallMeRequest>, StoreError> {
        self.run(Operation::CallMeRequests, |s| {
            let requests = s.data.call_me.values().filter(|r| states.contains(&r.state)).cloned();
            Ok(Page::cut(requests.collect(), cursor, limit, false))
        })
    }

    async fn open_call_me(&self, contact_id: &str, since: DateTime<Utc>) -> Result<Option<CallMeRequest>, StoreError> {
        self.run(Operation::CallMeRequests, |s| {
            let open = s
                .data
                .call_me
                .values()
                .filter(|r| r.contact_id == contact_id && r.state.is_open() && r.created_at >= since);
            Ok(Page::cut(open.cloned().collect(), None, 1, false).items.pop())
        })
    }

    async fn call_me(&self, id: &str) -> Result<Option<CallMeRequest>, StoreError> {
        self.run(Operation::CallMeRequests, |s| {
            key_text(id)?;
            Ok(s.data.call_me.get(id).cloned())
        })
    }

    /// A request that is not there has nothing to mark; one done stays done.
    async fn mark_call_me_notified(&self, id: &str) -> Result<(), StoreError> {
        self.run(Operation::MarkCallMeNotified, |s| {
            if let Some(request) = s.data.call_me.get_mut(id).filter(|r| r.state == CallMeState::New) {
                request.state = CallMeState::ManagerNotified;
            }
            Ok(())
        })
    }

    async fn mark_call_me_done(&self, id: &str, at: DateTime<Utc>, by: &Actor) -> Result<(), StoreError> {
        self.run(Operation::MarkCallMeDone, |s| {
            key_text(id)?;
            let request = s.data.call_me.get_mut(id).ok_or(StoreError::Conflict)?;
            request.state = CallMeState::Done;
            request.done.get_or_insert_with(|| (at, by.clone()));
            Ok(())
        })
    }
}

impl SentNotices for InMemoryStore {
    async fn already_sent(&self, key: &str) -> Result<bool, StoreError> {
        self.run(Operation::AlreadySent, |s| Ok(s.data.sent_notices.contains(key)))
    }

    async fn mark_sent(&self, key: &str, _now: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(Operation::MarkSent, |s| {
            s.data.sent_notices.insert(key.to_owned());
            Ok(())
        })
    }
}

impl crate::ports::Deliveries for InMemoryStore {}

impl MessageTickets for InMemoryStore {
    async fn remember_message(
        &self,
        chat_id: i64,
        message_id: i64,
        ticket_id: u64,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.run(Operation::RememberMessage, |s| {
            s.data.message_tickets.insert((chat_id, message_id), RememberedMessage::of(ticket_id));
            Ok(())
        })
    }

    async fn message_ticket(&self, chat_id: i64, message_id: i64) -> Result<Option<RememberedMessage>, StoreError> {
        self.run(Operation::MessageTicket, |s| Ok(s.data.message_tickets.get(&(chat_id, message_id)).cloned()))
    }
}

impl FailedNotices for InMemoryStore {
    async fn keep(&self, failed: &FailedNotice) -> Result<(), StoreError> {
        self.run(Operation::Keep, |s| {
            s.data.failed_notices.insert(failed.notice.key.clone(), failed.clone());
            Ok(())
        })
    }

    async fn kept(&self) -> Result<Vec<FailedNotice>, StoreError> {
        self.run(Operation::Kept, |s| Ok(s.data.failed_notices.values().cloned().collect()))
    }

    async fn forget(&self, key: &str) -> Result<(), StoreError> {
        self.run(Operation::Forget, |s| {
            s.data.failed_notices.remove(key);
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Contact;

    mod passes_the_contract {
        crate::store_contract_tests!(crate::test_util::memory::InMemoryStore::new());
    }

    fn idle_commit<'a>(update_id: u64, before: &'a UserRecord) -> Commit<'a> {
        Commit {
            update_id,
            user_id: 7,
            chat_id: 7,
            before,
            state: &State::AwaitingNewTicket,
            effects: &[],
            now: Utc::now(),
            response: None,
        }
    }

    #[tokio::test]
    async fn injected_faults_fail_the_next_calls_and_write_nothing() {
        let store = InMemoryStore::new();
        let handle = store.clone();
        handle.fail_next(Operation::Commit, Fault::Unavailable);
        handle.fail_next(Operation::Commit, Fault::Conflict);
        assert_eq!(handle.pending_faults(Operation::Commit), 2);
        let fresh = UserRecord::default();
        assert!(matches!(store.commit(&idle_commit(1, &fresh)).await, Err(StoreError::Unavailable(_))));
        assert!(matches!(store.commit(&idle_commit(1, &fresh)).await, Err(StoreError::Conflict)));
        assert_eq!(handle.pending_faults(Operation::Commit), 0, "faults are used up in order");
        assert_eq!(store.load_user(7).await.unwrap(), fresh, "failed calls write nothing");
        store.commit(&idle_commit(1, &fresh)).await.expect("the third call goes through");
        assert_eq!(store.load_user(7).await.unwrap().version, 1);
    }

    #[tokio::test]
    async fn a_lost_reply_writes_and_the_retry_meets_its_marker() {
        let store = InMemoryStore::new();
        store.fail_next(Operation::Commit, Fault::LostReply);
        let fresh = UserRecord::default();
        assert!(matches!(store.commit(&idle_commit(1, &fresh)).await, Err(StoreError::Unavailable(_))));
        assert_eq!(store.load_user(7).await.unwrap().version, 1, "the commit landed");
        assert!(matches!(store.commit(&idle_commit(1, &fresh)).await, Err(StoreError::Duplicate)));
    }

    #[tokio::test]
    async fn faults_aim_at_one_operation_and_round_trips_are_counted() {
        let store = InMemoryStore::new();
        store.fail_next_n(Operation::LoadUser, Fault::Unavailable, 2);
        store.commit(&idle_commit(1, &UserRecord::default())).await.expect("commits are not aimed at");
        assert!(store.load_user(7).await.is_err());
        assert!(store.load_user(7).await.is_err());
        assert!(store.load_user(7).await.is_ok(), "two faults, two failures");
        assert_eq!((store.calls(Operation::LoadUser), store.calls(Operation::Commit)), (3, 1));
        assert_eq!(store.round_trips(), 4, "failed calls are round trips too");

        store.reset_counts();
        let phone = Phone::from_e164("+79123456789").unwrap();
        for (id, client) in [("c1", "k1"), ("c2", "k2")] {
            let contact = Contact {
                id: id.into(),
                name: "Анна".into(),
                phone: phone.clone(),
                client_id: client.into(),
                active: true,
                telegram_user: None,
            };
            store.put_contact(&contact, None, Utc::now()).await.unwrap();
        }
        store.find_by_phone(&phone).await.unwrap();
        assert_eq!(store.round_trips(), 4, "two puts, and a search that reads company names: two requests");
        store.reset_counts();
        assert_eq!(store.manager("k1").await.unwrap(), None);
        assert_eq!(store.round_trips(), 1, "no client: one read");
    }
}
