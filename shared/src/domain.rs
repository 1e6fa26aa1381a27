//! The service desk's records as the bot and the staff API see them.

use crate::phone::Phone;

/// A Telegram user id (equal to the chat id of the private chat with the bot).
pub type TelegramUserId = u64;

/// The longest directory id.
pub const ID_MAX_LEN: usize = 40;

/// Directory ids are short and plain so that they fit keys and Telegram's 64-byte callback data:
/// 1–40 characters of `A-Z a-z 0-9 . _ -`.
pub fn valid_id(id: &str) -> bool {
    (1..=ID_MAX_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// A client company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub manager_id: Option<String>,
    pub vip: bool,
}

/// A contact person of a client company: the people who use the bot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: String,
    pub name: String,
    pub phone: Phone,
    pub client_id: String,
    pub active: bool,
    /// The Telegram account linked to this contact, if any.
    pub telegram_user: Option<TelegramUserId>,
}

impl Contact {
    /// The link a Telegram account linked to this contact holds (name and company as now).
    pub fn link(&self) -> Link {
        Link::Contact { contact_id: self.id.clone(), client_id: self.client_id.clone(), name: self.name.clone() }
    }
}

/// An employee of the service desk (assignees, account managers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Employee {
    pub id: String,
    pub name: String,
    pub phone: Option<Phone>,
    /// A departed employee is inactive: unlinked, told nothing, and cannot register.
    pub active: bool,
    pub telegram_user: Option<TelegramUserId>,
}

impl Employee {
    /// The link a Telegram account linked to this employee holds.
    pub fn link(&self) -> Link {
        Link::Employee { employee_id: self.id.clone(), name: self.name.clone() }
    }
}

/// Who a Telegram user is to the service desk. Kept on the user's own record so that one read
/// answers "who is this and where are we in the dialogue".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    Contact { contact_id: String, client_id: String, name: String },
    Employee { employee_id: String, name: String },
}

impl Link {
    /// The directory entry the link points at.
    pub fn person(&self) -> Person {
        match self {
            Link::Contact { contact_id, .. } => Person::Contact(contact_id.clone()),
            Link::Employee { employee_id, .. } => Person::Employee(employee_id.clone()),
        }
    }
}

/// A person in the directory: who a Telegram account is linked to, and who a notice goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Person {
    Contact(String),
    Employee(String),
}

impl Person {
    /// `contact:<id>` or `employee:<id>`: how a person is named in stored links and notice keys.
    pub fn code(&self) -> String {
        match self {
            Person::Contact(id) => format!("contact:{id}"),
            Person::Employee(id) => format!("employee:{id}"),
        }
    }

    /// The person a [`Person::code`] names.
    pub fn from_code(code: &str) -> Option<Self> {
        match code.split_once(':')? {
            ("contact", id) => Some(Person::Contact(id.to_owned())),
            ("employee", id) => Some(Person::Employee(id.to_owned())),
            _ => None,
        }
    }
}

/// Who changed a ticket or wrote a journal entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A client's contact, in the bot (the contact's id).
    Client(String),
    /// An employee, through the staff API.
    Employee(String),
    /// The staff API without a named employee.
    Api,
}

impl Actor {
    /// `client:<contact id>`, `employee:<employee id>` or `api`, as stored and shown by the API.
    pub fn code(&self) -> String {
        match self {
            Actor::Client(id) => format!("client:{id}"),
            Actor::Employee(id) => format!("employee:{id}"),
            Actor::Api => "api".to_owned(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code.split_once(':') {
            Some(("client", id)) if !id.is_empty() => Some(Actor::Client(id.to_owned())),
            Some(("employee", id)) if !id.is_empty() => Some(Actor::Employee(id.to_owned())),
            None if code == "api" => Some(Actor::Api),
            _ => None,
        }
    }
}

/// The `source` of tickets made in the bot; the staff API may not use it.
pub const BOT_SOURCE: &str = "messenger";

/// Ticket statuses with their API codes; the names people read are in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketStatus {
    New,
    InProgress,
    Waiting,
    Done,
    Closed,
    Cancelled,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::New,
        TicketStatus::InProgress,
        TicketStatus::Waiting,
        TicketStatus::Done,
        TicketStatus::Closed,
        TicketStatus::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::Waiting => "waiting",
            TicketStatus::Done => "done",
            TicketStatus::Closed => "closed",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The status name shown to people (the catalog owns the words).
    pub fn name(self, lang: crate::texts::Lang) -> &'static str {
        crate::texts::status_name(self, lang)
    }

    /// Work on the ticket is still going on.
    pub fn is_active(self) -> bool {
        !matches!(self, TicketStatus::Done | TicketStatus::Closed | TicketStatus::Cancelled)
    }

    /// The ticket was completed by the desk (a client may still ask about it).
    pub fn is_completed(self) -> bool {
        matches!(self, TicketStatus::Done | TicketStatus::Closed)
    }
}

/// What the main menu needs to know about a contact's tickets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TicketCounts {
    pub active: usize,
    pub completed: usize,
}

impl TicketCounts {
    pub fn from_statuses(statuses: impl IntoIterator<Item = TicketStatus>) -> Self {
        statuses.into_iter().fold(Self::default(), |mut counts, status| {
            counts.active += usize::from(status.is_active());
            counts.completed += usize::from(status.is_completed());
            counts
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_round_trip() {
        for status in TicketStatus::ALL {
            assert_eq!(TicketStatus::from_code(status.code()), Some(status));
        }
        assert_eq!(TicketStatus::from_code("open"), None);
    }

    #[test]
    fn actor_codes_round_trip() {
        for actor in [Actor::Client("c1".into()), Actor::Employee("e-2".into()), Actor::Api] {
            assert_eq!(Actor::from_code(&actor.code()), Some(actor));
        }
        for bad in ["", "client:", "boss:1", "api:x", "contact:c1"] {
            assert_eq!(Actor::from_code(bad), None, "{bad:?}");
        }
        assert_eq!(Person::Contact("c1".into()).code(), "contact:c1");
    }

    #[test]
    fn counts_split_active_and_completed() {
        use TicketStatus::*;
        let counts = TicketCounts::from_statuses([New, InProgress, Done, Closed, Cancelled, Waiting]);
        assert_eq!(counts, TicketCounts { active: 3, completed: 2 });
    }
}

/// A ticket of the service desk, as stored. (Fields the bot flows and the staff API share.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    /// Sequential number, unique; gaps are possible (a number taken by a failed attempt).
    pub id: u64,
    pub subject: String,
    pub message: String,
    pub status: TicketStatus,
    /// Where the ticket came from: [`BOT_SOURCE`] for the bot, else what the API was told.
    pub source: String,
    pub client_id: String,
    pub contact_id: String,
    pub assignee_id: Option<String>,
    /// The assignee's name as of the assignment, so that a ticket card is one read.
    pub assignee_name: Option<String>,
    pub deadline: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// Who made the last change; lets the notifier skip echoing a client's own action back to them.
    pub changed_by: Actor,
    /// Storage version: every write is conditional on the version it read.
    pub version: u64,
    /// When the desk last completed it (became `done`); `None` while it is worked on.
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The client's score of the work, once given.
    pub rating: Option<Rating>,
    /// The completion (its `completed_at`) whose low score staff were told of: a low score is
    /// told once per completion, however often the client changes it.
    pub low_score_told: Option<chrono::DateTime<chrono::Utc>>,
}

impl Ticket {
    /// The journal's entry of its creation, by whoever made it, from its source.
    pub fn creation_entry(&self) -> JournalEntry {
        JournalEntry::new(self.created_at, "created", self.changed_by.clone(), format!("source: {}", self.source))
    }

    /// The ticket in `status` as of `now`: becoming done starts the rating window, being
    /// worked on again ends it, closing a done ticket keeps it.
    pub fn moved_to(&mut self, status: TicketStatus, now: chrono::DateTime<chrono::Utc>) {
        if status == TicketStatus::Done && self.status != TicketStatus::Done {
            self.completed_at = Some(now);
        } else if !status.is_completed() {
            self.completed_at = None;
        }
        self.status = status;
    }

    /// Whether its contact may (still) rate it at `now`: completed, within
    /// [`RATING_OPEN_DAYS`] of its completion.
    pub fn rating_open(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.status.is_completed()
            && self.completed_at.is_some_and(|at| now - at < chrono::Duration::days(RATING_OPEN_DAYS))
    }
}

/// How long after completion a client may rate a ticket (and change the score).
pub const RATING_OPEN_DAYS: i64 = 7;

/// A staff change of a ticket's changeable fields, as `PATCH /tickets/{id}` and the staff
/// buttons in Telegram make it: the one place a change becomes the new ticket and its journal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketPatch {
    pub status: Option<TicketStatus>,
    /// `Some(None)`: unassigned; `Some(Some((id, name)))`: assigned to that employee.
    pub assignee: Option<Option<(String, String)>>,
    /// `Some(None)`: the deadline cleared.
    pub deadline: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

impl TicketPatch {
    /// The ticket after the patch by `by` at `now` (its next version) with a journal entry per
    /// field that changes; `None` when nothing would.
    pub fn apply(
        &self,
        before: &Ticket,
        by: &Actor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<(Ticket, Vec<JournalEntry>)> {
        let mut after = before.clone();
        let mut entries = vec![];
        let entry = |event: &str, details: String| JournalEntry::new(now, event, by.clone(), details);
        if let Some(status) = self.status.filter(|s| *s != before.status) {
            entries.push(entry("status_changed", format!("{} → {}", before.status.code(), status.code())));
            after.moved_to(status, now);
        }
        let assignee = self.assignee.as_ref().filter(|a| a.as_ref().map(|(id, _)| id) != before.assignee_id.as_ref());
        if let Some(assignee) = assignee {
            let shown = |a: Option<&String>| a.cloned().unwrap_or_else(|| "—".into());
            let details =
                format!("{} → {}", shown(before.assignee_id.as_ref()), shown(assignee.as_ref().map(|(id, _)| id)));
            entries.push(entry("assignee_changed", details));
            after.assignee_id = assignee.as_ref().map(|(id, _)| id.clone());
            after.assignee_name = assignee.as_ref().map(|(_, name)| name.clone());
        }
        if let Some(deadline) = self.deadline.filter(|d| *d != before.deadline) {
            let shown = |d: &Option<chrono::DateTime<chrono::Utc>>| d.map_or_else(|| "—".into(), |d| d.to_rfc3339());
            entries.push(entry("deadline_changed", format!("{} → {}", shown(&before.deadline), shown(&deadline))));
            after.deadline = deadline;
        }
        if entries.is_empty() {
            return None;
        }
        after.updated_at = now;
        after.changed_by = by.clone();
        after.version = before.version + 1;
        Some((after, entries))
    }
}

/// A client's score of a completed ticket: 1 (bad) to 5 (excellent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub score: u8,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Rating {
    pub const SCORES: std::ops::RangeInclusive<u8> = 1..=5;

    /// A score this low is told to the assignee and the client's manager.
    pub fn is_low(self) -> bool {
        self.score <= 2
    }
}

/// Who wrote a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthorKind {
    Client,
    Employee,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: String,
    pub ticket_id: u64,
    pub author_kind: AuthorKind,
    pub author_id: String,
    pub author_name: String,
    pub text: String,
    /// Internal notes are for staff only: never shown or sent to clients.
    pub internal: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// Object key in the attachments bucket.
    pub key: String,
    /// Set when the file came with a comment.
    pub comment_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// RFC 3339 UTC with milliseconds; entries sort by it.
    pub at: String,
    pub event: String,
    pub by: Actor,
    pub details: String,
}

impl JournalEntry {
    pub fn new(at: chrono::DateTime<chrono::Utc>, event: &str, by: Actor, details: impl Into<String>) -> Self {
        let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        JournalEntry { at, event: event.to_owned(), by, details: details.into() }
    }
}

/// A ticket with everything attached to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDetails {
    pub ticket: Ticket,
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
    pub journal: Vec<JournalEntry>,
}

/// A client's request to be called back by their account manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallMeRequest {
    pub id: String,
    pub contact_id: String,
    pub client_id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub state: CallMeState,
    /// When and by whom it was marked done.
    pub done: Option<(chrono::DateTime<chrono::Utc>, Actor)>,
}

impl CallMeRequest {
    /// Open and recent: asking again would only repeat it.
    pub fn stands(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.state.is_open() && now - self.created_at < chrono::Duration::hours(CALL_ME_STANDS_HOURS)
    }
}

/// Where a call-me request stands: made, heard by the account manager, handled by staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallMeState {
    New,
    /// The manager got the request in Telegram.
    ManagerNotified,
    /// Staff called the client back (`PATCH /callback-requests/{id}`).
    Done,
}

impl CallMeState {
    pub const ALL: [CallMeState; 3] = [CallMeState::New, CallMeState::ManagerNotified, CallMeState::Done];

    /// `new`, `manager_notified` or `done`, as stored and shown by the API.
    pub fn code(self) -> &'static str {
        match self {
            CallMeState::New => "new",
            CallMeState::ManagerNotified => "manager_notified",
            CallMeState::Done => "done",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Nobody has called the client back yet.
    pub fn is_open(self) -> bool {
        self != CallMeState::Done
    }
}

/// How long an open call-me request stands: within it, asking again tells the client the
/// request is in hand; after it, asking again reminds the manager with a new request.
pub const CALL_ME_STANDS_HOURS: i64 = 24;
