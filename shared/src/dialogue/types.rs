//! The dialogue's vocabulary: what comes in ([`Inbound`]), where a user is ([`State`]), the facts
//! it asks for ([`Need`], [`Facts`]), what it decides ([`Outcome`]: the [`Effect`]s to commit and
//! the [`Reply`]s to send), and the records those carry.

use super::Press;
use crate::domain::{Link, TelegramUserId};
use crate::phone::{Phone, Region};
use crate::texts::{self, Lang};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One Telegram update, reduced to what the bot acts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Inbound {
    pub update_id: u64,
    pub user_id: TelegramUserId,
    pub chat_id: i64,
    pub event: Event,
    /// The sender's Telegram `language_code` (an IETF tag, `en-GB`), when the update has one.
    pub language_code: Option<String>,
}

/// The bot's message a button was pressed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PressedMessage {
    pub id: i64,
    /// Its link buttons (label, `https` URL): kept when its buttons are redrawn.
    pub links: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A bot command, one of [`Command::ALL`].
    Command(Command),
    /// A `/command` this bot does not have: answered with the help, never taken as a ticket.
    UnknownCommand,
    /// A shared contact card. `owner` is the Telegram user the card belongs to, as Telegram
    /// sets it: only a card whose owner is the sender proves the sender's phone. `card`: the
    /// message as text («👤 name, phone»), what someone else's card is to a registered client.
    Contact { phone: String, owner: Option<TelegramUserId>, card: Box<Content> },
    /// Text and/or files (a caption is the text). Reply-keyboard presses arrive as text.
    Message(Content),
    /// An inline-button press, its `callback_data` as it came: [`step`](super::step) parses it.
    /// An inline-button press: `message` is the message it sits on (when Telegram says).
    Press { id: String, data: String, message: Option<PressedMessage> },
    /// Something the bot does not take (a sticker, a location, a poll…).
    Unsupported(Unsupported),
    /// The user blocked (`true`) or unblocked the bot (`my_chat_member`).
    BlockedBot(bool),
    /// `/start t<id>`, a deep link (`https://t.me/<bot>?start=t<id>`): the ticket's card for the
    /// contact who owns it, the main menu for anyone else.
    OpenTicket(u64),
    /// The user edited a message of theirs (`edited_message`): its id, its text (or caption)
    /// as it now reads, and when it was first sent. A message that became a ticket or a comment
    /// less than [`EDIT_WINDOW_HOURS`] ago gets the correction as a comment; others are ignored.
    Edited { message_id: i64, text: String, sent_at: Option<DateTime<Utc>> },
}

/// How long after sending a message its edits still correct the ticket or comment it became.
pub const EDIT_WINDOW_HOURS: i64 = edit_window_hours!();

/// Edits of one message this close to its last correction revise that correction: a client
/// fixing a typo three times makes one comment and one notice, not three.
pub const CORRECTIONS_FOLD_MINUTES: i64 = 5;

/// [`EDIT_WINDOW_HOURS`] as a literal, the window's one home: the catalog's texts that name the
/// window are put together with it at compile time (`concat!` takes only literals).
macro_rules! edit_window_hours {
    () => {
        48
    };
}
pub(crate) use edit_window_hours;

/// The bot's commands. Names are a contract with chats (typed, and listed by Telegram from the
/// deploy's `setMyCommands`): [`Command::named`] reads exactly what [`Command::name`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Registration, or the main menu.
    Start,
    /// The main menu with what each button does.
    Menu,
    /// The same as `/menu`.
    Help,
    /// A client whose phone is a contact's of several companies chooses the company again.
    Company,
    /// The client unlinks this Telegram account from their contact (after a confirmation).
    Unlink,
    /// Anyone chooses the bot's language.
    Language,
    /// An employee's open assigned tickets; a client's active tickets (as «📋 Статус заявки»).
    Tickets,
}

impl Command {
    pub const ALL: [Command; 7] = [
        Command::Start,
        Command::Menu,
        Command::Help,
        Command::Company,
        Command::Unlink,
        Command::Language,
        Command::Tickets,
    ];

    /// The commands Telegram lists in the chat (the deploy registers them): `/company` is left
    /// out, it concerns only clients of several companies, and `/help` tells them of it.
    pub const LISTED: [Command; 5] =
        [Command::Start, Command::Menu, Command::Tickets, Command::Help, Command::Language];

    /// The name as typed after `/`.
    pub fn name(self) -> &'static str {
        match self {
            Command::Start => "start",
            Command::Menu => "menu",
            Command::Help => "help",
            Command::Company => "company",
            Command::Unlink => "unlink",
            Command::Language => "language",
            Command::Tickets => "tickets",
        }
    }

    /// The command a name (without `/` and `@bot`) stands for, in any letter case.
    pub fn named(name: &str) -> Option<Command> {
        Self::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// What Telegram shows next to the command in its list (the catalog owns the words).
    pub fn description(self, lang: Lang) -> &'static str {
        texts::command_description(self, lang)
    }
}

/// A kind of message the bot does not take, named in the reply (`texts::unsupported_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    Sticker,
    Poll,
    Dice,
    Other,
}

/// Where a user is in the dialogue; persisted between updates. Each variant carries the data of
/// its step.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum State {
    #[default]
    Idle,
    /// A phone of several companies' contacts was shared; the user picks the company.
    ChoosingCompany { phone: Phone },
    /// "➕ Новое обращение" was pressed: the next message becomes a ticket.
    AwaitingNewTicket,
    /// A message written straight to the bot while tickets are active waits for the choice
    /// "➕ Новая заявка" / "💬 Прикрепить к заявке". Its files are already stored.
    NewOrAttach { pending: Pending },
    /// "💬 Прикрепить к заявке" was chosen: the user picks the ticket.
    ChoosingTicketToAttach { pending: Pending },
    /// A ticket was chosen to comment on (`completed`: a question about a completed ticket);
    /// the next message becomes the comment.
    AwaitingComment { ticket_id: u64, completed: bool },
}

/// What a message carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    pub text: Option<String>,
    pub files: Vec<IncomingFile>,
    /// Names of files over Telegram's 20 MB download limit (not taken).
    pub too_large: Vec<String>,
    /// `media_group_id`: the parts of one album share it.
    pub album: Option<String>,
    /// When the client sent it (Telegram's `date`).
    pub sent_at: Option<DateTime<Utc>>,
    /// The bot's own message it replies to, if it is a Telegram reply to one.
    pub reply_to: Option<RepliedTo>,
    /// The message's id in the chat: remembered with the ticket or comment it becomes, so that
    /// an edit of it can correct them ([`Event::Edited`]).
    pub message_id: Option<i64>,
}

/// A message of the bot's that the user replied to (`reply_to_message` sent by a bot: in a
/// private chat, this bot): its id, and its text as Telegram quotes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepliedTo {
    pub message_id: i64,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Photo,
    Document,
    Voice,
    Audio,
    Video,
    VideoNote,
}

/// A file as the update describes it (not yet downloaded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingFile {
    pub file_id: String,
    /// Stable across bots and time: S3 keys are derived from it, so a retry overwrites.
    pub unique_id: String,
    pub kind: FileKind,
    /// The original name (documents), or one made from the kind.
    pub name: String,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
}

/// A file as Telegram keeps it: sent again to anyone by its `file_id` (no download, no upload)
/// with the method of its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramFile {
    pub file_id: String,
    pub kind: FileKind,
    pub name: String,
}

/// A file stored in the attachments bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    pub name: String,
    pub content_type: String,
    pub size: u64,
    /// How Telegram knows it, when it came from Telegram: notices carry it by its `file_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram: Option<TelegramFile>,
    pub key: String,
}

/// A message waiting for the user's choice, its files already stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    pub text: Option<String>,
    pub files: Vec<StoredFile>,
    pub album: Option<String>,
    /// When its first message was sent: a message much later starts over instead of joining.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// The ids of the messages it is made of (at most [`Pending::MAX_MESSAGES`]), remembered
    /// with the ticket or comment it becomes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<i64>,
}

impl Pending {
    /// At most this many files wait for one choice: with the ticket, its journal, the album
    /// claim, the marker and the user's record, the commit stays far under DynamoDB's 100 items
    /// per transaction.
    pub const MAX_FILES: usize = 50;
    /// At most this much text (four full Telegram messages) waits: the user's record that holds
    /// it stays far under DynamoDB's 400 KB per item.
    pub const MAX_TEXT_CHARS: usize = 16_384;
    /// A message sent this long after the waiting one starts over rather than joining it.
    pub const MAX_AGE_MINUTES: i64 = 30;
    /// Edits of at most this many of the messages that wait correct what they become (each is
    /// one more item in the commit's transaction).
    pub const MAX_MESSAGES: usize = 10;

    /// Whether `more` still fits beside what waits.
    pub fn has_room_for(&self, more: &Pending) -> bool {
        let chars = |p: &Pending| p.text.as_deref().map_or(0, |t| t.chars().count());
        self.files.len() + more.files.len() <= Self::MAX_FILES && chars(self) + chars(more) < Self::MAX_TEXT_CHARS
    }

    /// Whether `later` was sent so long after this one that it is a message of its own.
    pub fn is_stale_for(&self, later: &Pending) -> bool {
        match (self.since, later.since) {
            (Some(first), Some(then)) => then - first > chrono::Duration::minutes(Self::MAX_AGE_MINUTES),
            _ => false,
        }
    }
}

/// The files of a message after the app fetched and stored them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredFiles {
    pub stored: Vec<StoredFile>,
    /// Files that could not be taken, and why.
    pub rejected: Vec<RejectedFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedFile {
    pub name: String,
    pub why: Rejection,
}

/// Why a file was not taken: each reason has its own sentence (`texts::FILE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// Over the 20 MB Telegram hands to bots.
    TooLarge,
    /// Telegram refused to hand it over (an invalid or expired file).
    Unreadable,
    /// A photo whose bytes are not an image the bot can read.
    NotAnImage,
    /// A photo larger than the bot converts (`media::MAX_PHOTO_SIDE`, `media::MAX_DECODE_BYTES`).
    PictureTooLarge,
}

/// Where the parts of an album go, decided by the part that arrived first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlbumTarget {
    /// The album made (or was added to) this ticket; `comment_id` when it is a comment.
    Ticket { ticket_id: u64, comment_id: Option<String> },
    /// The album waits in the dialogue state for the user's choice.
    Pending,
}

/// A ticket of the contact, as lists and menus need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketSummary {
    pub id: u64,
    pub subject: String,
    pub status: crate::domain::TicketStatus,
}

/// A Telegram user's record: who they are, where the dialogue is, and the record's version for
/// optimistic concurrency (0 = never stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserRecord {
    pub link: Option<Link>,
    pub state: State,
    pub version: u64,
    /// The language kept for the user (the notifier speaks it to them); `None`: none yet.
    pub language: Option<Language>,
}

/// The language a user is spoken to in, and whether they chose it with `/language` (a choice
/// wins over what their Telegram app says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Language {
    pub lang: Lang,
    pub chosen: bool,
}

/// Directory entries that carry a phone number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneMatches {
    pub contacts: Vec<ContactMatch>,
    pub employees: Vec<EmployeeMatch>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactMatch {
    pub contact_id: String,
    pub client_id: String,
    pub client_name: String,
    pub name: String,
    pub active: bool,
    /// The Telegram account currently linked to the contact, if any.
    pub linked_user: Option<TelegramUserId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeMatch {
    pub employee_id: String,
    pub name: String,
    pub active: bool,
    pub linked_user: Option<TelegramUserId>,
}

/// Facts read on the dialogue's request.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub phone_matches: Option<PhoneMatches>,
    /// The contact's tickets, newest first.
    pub tickets: Option<Vec<TicketSummary>>,
    pub files: Option<StoredFiles>,
    pub new_ticket_id: Option<u64>,
    /// `Some(None)`: the album has no claim yet.
    pub album: Option<Option<AlbumTarget>>,
    /// The tickets read consistently, by id (`None`: no such ticket): a message can name one (a
    /// reply) and be about another (the comment the dialogue waits for). Read through
    /// [`Facts::ticket`].
    pub read_tickets: Vec<(u64, Option<crate::domain::Ticket>)>,
    /// The client's account manager; `Some(None)`: the client has none.
    pub manager: Option<Option<Manager>>,
    /// The moment the update is handled (the app's clock).
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The linked contact's directory entry; `Some(None)`: it is gone.
    pub contact: Option<Option<crate::domain::Contact>>,
    /// The contact's call-me request that still stands (open and recent); `Some(None)`: none.
    pub standing_call_me: Option<Option<crate::domain::CallMeRequest>>,
    /// What the bot remembers of the replied-to (or edited) message; `Some(None)`: nothing.
    pub replied_to: Option<Option<crate::ports::RememberedMessage>>,
    /// The employee's assigned tickets, newest first (from an index).
    pub assigned: Option<Vec<TicketSummary>>,
    /// The id of the client's account manager, as the client's record names them; `Some(None)`:
    /// none (or no such client).
    pub manager_id: Option<Option<String>>,
}

impl Facts {
    /// Ticket `id` as a consistent read found it (`None`: there is none), or the need to read it.
    pub fn ticket(&self, id: u64) -> Result<Option<&crate::domain::Ticket>, Need> {
        let read = self.read_tickets.iter().find(|(read, _)| *read == id);
        read.map(|(_, ticket)| ticket.as_ref()).ok_or(Need::Ticket(id))
    }

    /// Whether ticket `id` was read.
    pub fn has_read_ticket(&self, id: u64) -> bool {
        self.read_tickets.iter().any(|(read, _)| *read == id)
    }
}

/// A client's account manager, as the call-back request needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manager {
    pub employee_id: String,
    /// Whether they linked Telegram (and so can be told).
    pub linked: bool,
}

/// A fact the dialogue needs before it can decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    PhoneMatches(Phone),
    Tickets {
        contact_id: String,
    },
    /// Download the message's files and store them in the bucket.
    StoreFiles,
    /// Allocate the next ticket number.
    NewTicketId,
    /// Read the claim of an album (`media_group_id`).
    Album(String),
    /// Read one ticket.
    Ticket(u64),
    /// Read the client's account manager.
    Manager {
        client_id: String,
    },
    /// The moment the update is handled.
    Now,
    /// Read the linked contact's directory entry (its phone: the companies it may choose from).
    Contact(String),
    /// Read the contact's call-me request that still stands.
    StandingCallMe {
        contact_id: String,
    },
    /// Read which ticket a message of the update's chat is about: the bot's message replied to,
    /// or the user's own message that was edited.
    RepliedTo(i64),
    /// Read the tickets assigned to the employee.
    Assigned {
        employee_id: String,
    },
    /// Read who the client's account manager is (the client's record alone).
    ManagerId {
        client_id: String,
    },
}

/// Changes to commit atomically with the next state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Link this Telegram user to a contact (unlinking whatever either side was linked to).
    LinkContact(ContactMatch),
    /// Link this Telegram user to an employee, for notifications.
    LinkEmployee(EmployeeMatch),
    CreateTicket(NewTicket),
    AddComment(NewComment),
    /// An employee's comment from a Telegram reply to a notice about the ticket.
    AddStaffComment(StaffComment),
    /// Files of a later album part, into the ticket (or comment) its first part made.
    AddFiles {
        ticket_id: u64,
        comment_id: Option<String>,
        files: Vec<StoredFile>,
    },
    /// A caption that came on a later album part replaces the placeholder subject, if the
    /// subject is still the placeholder when the change is committed.
    SetSubject {
        ticket_id: u64,
        placeholder: String,
        subject: String,
        message: String,
    },
    /// A caption that came on a later album part becomes the comment's text, if it has none.
    SetCommentText {
        ticket_id: u64,
        comment_id: String,
        text: String,
    },
    /// Records where an album's parts go. `first`: only if nobody claimed it yet.
    ClaimAlbum {
        album: String,
        target: AlbumTarget,
        first: bool,
    },
    /// A staff change from a button: the ticket as it becomes (its next version, written only if
    /// the ticket is still at the one before) and its journal entries.
    ChangeTicket {
        ticket: crate::domain::Ticket,
        journal: Vec<crate::domain::JournalEntry>,
    },
    /// The client cancelled their ticket in the bot (only if it is theirs and still active).
    CancelTicket {
        ticket_id: u64,
        contact_id: String,
    },
    /// The client scores their completed ticket: only if it is theirs, still open to rating
    /// and rated as read (`previous`), so two presses at once keep one score.
    RateTicket(NewRating),
    /// The client leaves the bot: this Telegram account and its contact let go of each other
    /// (the tickets stay with the contact).
    Unlink,
    /// The client asks their account manager to call back.
    RequestCallMe {
        id: String,
        contact_id: String,
        client_id: String,
    },
    /// The user's messages (ids in the update's chat) became ticket `ticket_id` or a comment on
    /// it: remembered ([`crate::ports::MESSAGE_EDITS_KEPT_HOURS`]), so that an edit of one within
    /// [`EDIT_WINDOW_HOURS`] corrects the ticket.
    RememberMessages {
        ticket_id: u64,
        messages: Vec<i64>,
    },
    /// The comment committed with this effect corrects the client's message `message_id`: the
    /// ticket's journal says so.
    Corrected {
        ticket_id: u64,
        message_id: i64,
        comment_id: String,
        contact_id: String,
    },
    /// The client's message `message_id` edited again within [`CORRECTIONS_FOLD_MINUTES`] of
    /// its last correction: that correction's comment reads `text` now (no new comment, no new
    /// notice), and the journal says so.
    Revised {
        ticket_id: u64,
        message_id: i64,
        comment_id: String,
        contact_id: String,
        text: String,
    },
    /// Whether notifications can reach the user (they blocked or unblocked the bot). Any other
    /// commit of the user's record makes them reachable again: they wrote to the bot.
    Reachability {
        blocked: bool,
    },
    /// Keep the user's language (chosen with `/language`, or newly detected from Telegram).
    SetLanguage(Language),
}

/// A client's score of their ticket, as the dialogue decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating {
    pub ticket_id: u64,
    pub contact_id: String,
    pub score: u8,
    /// The score the ticket had when it was read.
    pub previous: Option<crate::domain::Rating>,
    /// Whose work is rated (the assignee then), for the summary per assignee.
    pub assignee_id: Option<String>,
    /// The completion whose low score this one is the first of: staff are told (the write
    /// marks the ticket `low_score_told`, which is what the notifier reads).
    pub tells_low_of: Option<chrono::DateTime<chrono::Utc>>,
}

/// A ticket the bot creates for a contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub id: u64,
    pub subject: String,
    pub message: String,
    pub contact_id: String,
    pub client_id: String,
    pub files: Vec<StoredFile>,
}

/// A comment a contact adds to their ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewComment {
    pub ticket_id: u64,
    /// A question about a completed ticket: lands only on a completed one (else an active one).
    pub on_completed: bool,
    pub comment_id: String,
    pub contact_id: String,
    pub author_name: String,
    pub text: String,
    pub files: Vec<StoredFile>,
}

/// A comment an employee adds by replying to a notice about the ticket: on any ticket that
/// exists, whatever its status, as the staff API allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffComment {
    pub ticket_id: u64,
    pub comment_id: String,
    pub employee_id: String,
    pub author_name: String,
    pub text: String,
    /// An internal note: never sent to the client.
    pub internal: bool,
    pub files: Vec<StoredFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Text {
        text: String,
        keyboard: Keyboard,
    },
    /// Every inline-button press must be answered, or the client shows a spinner.
    AnswerPress {
        press_id: String,
        text: Option<String>,
    },
    /// A notification in HTML parse mode (every value in it escaped). A message carries one
    /// set of buttons: a `keyboard` other than [`Keyboard::Keep`] (a client's menu as the change
    /// left it), else a URL button for `url` (`https` links only: Telegram refuses others).
    /// The link is in the text as well.
    Notice {
        html: String,
        url: Option<String>,
        keyboard: Keyboard,
        /// The recipient's language (the link button's label).
        lang: Lang,
    },
    /// Files, sent again by their `file_id` when Telegram has them and uploaded from the
    /// attachments bucket otherwise: photos and videos as one album, documents as another, each
    /// of the rest on its own (a notice's text goes before them).
    Files(Vec<StoredFile>),
    /// Redraws the inline buttons of one of the bot's messages in the chat (a staff notice
    /// whose ticket a press changed).
    SetButtons {
        message_id: i64,
        keyboard: Keyboard,
        /// Link buttons (label, `https` URL) in rows of their own below.
        links: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyboard {
    /// Leave whatever keyboard the user has.
    Keep,
    /// The reply keyboard with the "share my phone" button, labelled in this language.
    SharePhone(Lang),
    /// A reply keyboard of labels, one per row.
    Menu(Vec<&'static str>),
    Inline(Vec<Vec<InlineButton>>),
    Remove,
}

/// The score buttons of a completed ticket («⭐ 1» … «⭐ 5»), on one row.
pub fn rating_buttons(ticket_id: u64) -> Keyboard {
    let row = crate::domain::Rating::SCORES
        .map(|score| InlineButton::new(texts::rating_button(score), Press::Rate(ticket_id, score)))
        .collect();
    Keyboard::Inline(vec![row])
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineButton {
    pub label: String,
    /// Sent as its [`Press::encode`] `callback_data`.
    pub press: Press,
}

impl InlineButton {
    pub fn new(label: impl Into<String>, press: Press) -> Self {
        InlineButton { label: label.into(), press }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub state: State,
    pub effects: Vec<Effect>,
    pub replies: Vec<Reply>,
}

impl Outcome {
    /// Whether committing this outcome would change nothing stored.
    pub fn is_read_only(&self, before: &UserRecord) -> bool {
        self.effects.is_empty() && self.state == before.state
    }
}

/// What the dialogue needs from configuration.
#[derive(Debug, Clone)]
pub struct DialogueSettings {
    pub support_phone: String,
    pub phone_region: Region,
    /// Dates are shown to people in this zone.
    pub timezone: crate::zone::Zone,
    /// The desk's working hours; `None`: always open.
    pub hours: Option<crate::hours::WorkingHours>,
    /// The language of users whose Telegram speaks neither Russian nor English (or says nothing).
    pub default_lang: Lang,
}
