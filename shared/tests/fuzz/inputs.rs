//! Generators of what the dialogue meets: texts people type (the menu's labels to the letter
//! among them), button data, every kind of event, user records in every state, and a service
//! desk (directory, tickets, album claims) that answers the dialogue's questions as the app's
//! reads would.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use shared::dialogue::Language;
use shared::dialogue::{
    AlbumTarget, Command, ContactMatch, Content, EmployeeMatch, Event, Facts, FileKind, Inbound, IncomingFile, Manager,
    Need, Pending, PhoneMatches, Press, RejectedFile, Rejection, State, StoredFile, StoredFiles, TicketList,
    TicketSummary, Unsupported, UserRecord,
};
use shared::domain::{Link, Ticket, TicketStatus, ID_MAX_LEN};
use shared::phone::Phone;
use shared::texts;
use shared::texts::Lang;

/// The Telegram user (and private chat) every generated update comes from.
pub const ME: u64 = 1001;

/// Pieces of text that trip naive handling: direction marks, zero-width characters, a lone
/// combining mark, emoji sequences, NUL, the BOM, noncharacters, line breaks, markup and the
/// catalog's own placeholder syntax.
pub const ODD_PIECES: &[&str] = &[
    "\u{200F}",
    "\u{202E}",
    "\u{2066}",
    "\u{200D}",
    "\u{200B}",
    "\u{0301}",
    "\u{20DD}",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "🇷🇺",
    "👍🏽",
    "\0",
    "\u{FEFF}",
    "\u{FFFF}",
    "\u{10FFFF}",
    "\r\n",
    "\t",
    " ",
    "\u{00A0}",
    "\u{2028}",
    "<b>",
    "&amp;",
    "{name}",
    "{id}",
    "\"",
    "\\",
    "/start",
    "co:",
    "Принтер не печатает",
    "x",
];

/// Every label of a reply or inline keyboard the bot draws: typed as they are, they are presses.
pub const LABELS: &[&str] = &[
    texts::BTN_SHARE_PHONE.ru,
    texts::BTN_NEW_TICKET.ru,
    texts::BTN_STATUS.ru,
    texts::BTN_COMMENT.ru,
    texts::BTN_CANCEL.ru,
    texts::BTN_CALL_ME.ru,
    texts::BTN_QUESTION_DONE.ru,
    texts::BTN_NEW_REQUEST.ru,
    texts::BTN_ATTACH.ru,
    texts::BTN_PREV_PAGE.ru,
    texts::BTN_NEXT_PAGE.ru,
    texts::BTN_OPEN_TICKET.ru,
    texts::BTN_SHARE_PHONE.en,
    texts::BTN_NEW_TICKET.en,
    texts::BTN_STATUS.en,
    texts::BTN_COMMENT.en,
    texts::BTN_CANCEL.en,
    texts::BTN_CALL_ME.en,
    texts::BTN_QUESTION_DONE.en,
    texts::BTN_NEW_REQUEST.en,
    texts::BTN_ATTACH.en,
];

/// One of these strings.
pub fn one_of(strings: &'static [&'static str]) -> impl Strategy<Value = String> {
    select(strings).prop_map(str::to_owned)
}

/// Strings of characters from `alphabet`.
fn string_of(alphabet: &str, length: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(select(alphabet.chars().collect::<Vec<_>>()), length).prop_map(String::from_iter)
}

/// Text made of odd pieces and arbitrary characters.
pub fn odd_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![one_of(ODD_PIECES), any::<char>().prop_map(String::from)];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

/// 5–100 KB of one character: over every Telegram limit (shrinks towards the shorter).
pub fn huge_text() -> impl Strategy<Value = String> {
    (select(vec!['a', 'я', '😀', '\u{200F}', '\u{0301}', '\0', ' ']), 5_000..=100_000usize)
        .prop_map(|(c, bytes)| c.to_string().repeat(bytes / c.len_utf8()))
}

/// What a user may type: the menu's labels (exactly, padded, or nearly), commands, odd and
/// arbitrary text, nothing at all, and far too much.
pub fn typed_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => one_of(LABELS),
        1 => select(LABELS).prop_map(|label| format!("  {label}\n")),
        1 => (select(LABELS), select(ODD_PIECES)).prop_map(|(label, odd)| format!("{label}{odd}")),
        1 => one_of(&["/start", "/start@desk_bot", "/start ref-1", "/help", "/START", "/"]),
        3 => odd_text(),
        2 => any::<String>(),
        1 => huge_text(),
        1 => one_of(&["", " ", "\n\t ", "\u{200B}"]),
    ]
}

/// The characters of directory ids.
const ID_CHARS: &str = "ABCXYZabcxyz0189._-";

/// A directory id (what the staff API accepts), mostly from a small pool so that generated
/// records meet each other.
pub fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => one_of(&["c1", "c2", "k1", "k2", "e1"]),
        1 => string_of(ID_CHARS, 1..=ID_MAX_LEN),
        1 => Just("Z9._-".repeat(ID_MAX_LEN / 5)),
    ]
}

/// A person's or company's name as the staff API stores it: 1–200 characters, trimmed.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => one_of(&["Анна", "ООО Ромашка", "Иван Петров"]),
        2 => odd_text(),
        1 => prop::collection::vec(any::<char>(), 1..=200).prop_map(String::from_iter),
        1 => select(vec!['я', '😀', 'W']).prop_map(|c| c.to_string().repeat(200)),
    ]
    .prop_map(|name| name.trim().chars().take(200).collect::<String>())
    .prop_filter("the API refuses an empty name", |name| !name.is_empty())
}

/// A ticket number: mostly one of the few the desk has, sometimes any.
pub fn ticket_id() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 1..=12u64, 1 => any::<u64>()]
}

pub fn ticket_list() -> impl Strategy<Value = TicketList> {
    select(vec![TicketList::Attach, TicketList::Status, TicketList::Comment, TicketList::Cancel, TicketList::Question])
}

/// Any press the bot's protocol can carry.
pub fn press() -> impl Strategy<Value = Press> {
    prop_oneof![
        id().prop_map(Press::ChooseCompany),
        // One arm for the presses without data (another arm would deepen the debug build's stack
        // past a test thread's).
        select(vec![Press::NewTicket, Press::Attach, Press::Language(Lang::Ru), Press::Language(Lang::En)]),
        (ticket_list(), ticket_id()).prop_map(|(list, id)| Press::Pick(list, id)),
        (ticket_list(), prop_oneof![4 => 0..4usize, 1 => any::<usize>()])
            .prop_map(|(list, page)| Press::Page(list, page)),
    ]
}

/// `callback_data` as it may arrive: the bot's own, corrupted, forged, arbitrary or huge.
pub fn press_data() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => press().prop_map(|press| press.encode()),
        1 => (press(), select(ODD_PIECES)).prop_map(|(press, odd)| format!("{}{odd}", press.encode())),
        1 => (press(), any::<prop::sample::Index>()).prop_map(|(press, cut)| {
            let data = press.encode();
            data[..cut.index(data.len() + 1)].to_owned()
        }),
        1 => odd_text(),
        1 => any::<String>(),
        1 => huge_text(),
    ]
}

/// A phone number as a contact card may carry it.
pub fn phone_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => one_of(&["79123456789", "+7 912 345-67-89", "8 (912) 345-67-89", "+12025550100", "12"]),
        2 => string_of("0123456789+ ()-", 0..=30),
        1 => odd_text(),
        1 => huge_text(),
    ]
}

/// An album id (`media_group_id`): mostly one of two, so that parts meet their claims.
pub fn album_id() -> impl Strategy<Value = String> {
    prop_oneof![4 => one_of(&["g1", "g2"]), 1 => odd_text(), 1 => huge_text()]
}

/// A file name as a document may carry it.
pub fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => one_of(&["report.pdf", "Счёт за март 2026.pdf", "photo-AgAD.jpg", ".env", "../../etc/passwd"]),
        2 => odd_text(),
        1 => huge_text(),
    ]
}

/// File ids say what the fake Telegram of the app tests serves for them (see `bot.rs`).
pub const FILE_IDS: &[&str] = &["jpeg-1", "jpeg-2", "png-1", "junk-1", "big-1"];

pub fn incoming_file() -> impl Strategy<Value = IncomingFile> {
    let kind = select(vec![
        FileKind::Photo,
        FileKind::Document,
        FileKind::Voice,
        FileKind::Audio,
        FileKind::Video,
        FileKind::VideoNote,
    ]);
    let unique_id = prop_oneof![4 => one_of(&["u1", "u2", "u3"]), 1 => odd_text()];
    let mime = prop::option::of(prop_oneof![
        3 => one_of(&["image/jpeg", "application/pdf", "audio/ogg"]),
        1 => odd_text(),
    ]);
    (select(FILE_IDS), unique_id, kind, file_name(), mime, prop::option::of(any::<u64>())).prop_map(
        |(file_id, unique_id, kind, name, mime_type, size)| IncomingFile {
            file_id: file_id.to_owned(),
            unique_id,
            kind,
            name,
            mime_type,
            size,
        },
    )
}

pub fn content() -> impl Strategy<Value = Content> {
    (
        prop::option::of(typed_text()),
        prop::collection::vec(incoming_file(), 0..4),
        prop::collection::vec(file_name(), 0..2),
        prop::option::of(album_id()),
        prop::option::of(0i64..4_000_000_000),
        prop::option::of((1i64..64, prop::option::of(typed_text()))),
        prop::option::of(1i64..64),
    )
        .prop_map(|(text, files, too_large, album, sent_at, reply_to, message_id)| Content {
            text,
            files,
            too_large,
            album,
            sent_at: sent_at.and_then(|at| chrono::DateTime::from_timestamp(at, 0)),
            reply_to: reply_to.map(|(message_id, text)| shared::dialogue::RepliedTo { message_id, text }),
            message_id,
        })
}

/// A card's message as the parser makes it.
fn card_of(phone: &str) -> Box<Content> {
    Box::new(Content { text: Some(format!("👤 Анна, {phone}")), message_id: Some(1), ..Content::default() })
}

/// Any event, as `parse_update` makes them (and some it would not, such as a text `/start`).
pub fn event() -> impl Strategy<Value = Event> {
    let owner = prop_oneof![4 => Just(Some(ME)), 1 => Just(None), 1 => any::<u64>().prop_map(Some)];
    let unsupported = select(vec![Unsupported::Sticker, Unsupported::Poll, Unsupported::Dice, Unsupported::Other]);
    prop_oneof![
        2 => Just(Event::Command(Command::Start)),
        1 => select(Command::ALL.to_vec()).prop_map(Event::Command),
        1 => Just(Event::UnknownCommand),
        2 => (phone_text(), owner).prop_map(|(phone, owner)| Event::Contact { card: card_of(&phone), phone, owner }),
        6 => content().prop_map(Event::Message),
        6 => (prop_oneof![Just("cb-1".to_owned()), odd_text()], press_data())
            .prop_map(|(id, data)| Event::Press { id, data, message: None }),
        1 => unsupported.prop_map(Event::Unsupported),
        1 => any::<bool>().prop_map(Event::BlockedBot),
        2 => (1i64..64, typed_text(), edit_sent_at()).prop_map(|(message_id, text, sent_at)| {
            Event::Edited { message_id, text, sent_at: sent_at.and_then(|at| chrono::DateTime::from_timestamp(at, 0)) }
        }),
    ]
}

/// When an edited message was first sent: mostly within the edit window (up to ~56 hours ago),
/// sometimes any moment, sometimes not said.
fn edit_sent_at() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        3 => (0i64..200_000).prop_map(|ago| Some(chrono::Utc::now().timestamp() - ago)),
        1 => prop::option::of(0i64..4_000_000_000),
    ]
}

/// Telegram `language_code`s: none, the bot's languages, others and odd ones.
const LANGUAGE_CODES: [Option<&str>; 6] = [None, Some("ru"), Some("en"), Some("en-GB"), Some("de"), Some("x y")];

/// An update; its `language_code` is picked by its id (another strategy in the tuple would
/// deepen the debug build's stack past a test thread's).
pub fn inbound() -> impl Strategy<Value = Inbound> {
    (any::<u64>(), event()).prop_map(|(update_id, event)| Inbound {
        update_id,
        user_id: ME,
        chat_id: ME as i64,
        event,
        language_code: LANGUAGE_CODES[(update_id % LANGUAGE_CODES.len() as u64) as usize].map(str::to_owned),
    })
}

pub fn stored_file() -> impl Strategy<Value = StoredFile> {
    (file_name(), select(vec!["u1", "u2", "u3"])).prop_map(|(name, unique)| StoredFile {
        telegram: None,
        key: shared::media::object_key(unique, &name),
        name,
        content_type: "application/octet-stream".into(),
        size: 1,
    })
}

pub fn pending() -> impl Strategy<Value = Pending> {
    (
        prop::option::of(typed_text()),
        prop::collection::vec(stored_file(), 0..3),
        prop::option::of(album_id()),
        prop::option::of(0i64..4_000_000_000),
        prop::collection::vec(1i64..64, 0..3),
    )
        .prop_map(|(text, files, album, since, messages)| Pending {
            text,
            files,
            album,
            since: since.and_then(|at| chrono::DateTime::from_timestamp(at, 0)),
            messages,
        })
}

/// A number as the directory stores it (E.164).
pub fn phone() -> impl Strategy<Value = Phone> {
    select(vec!["+79123456789", "+79990000001", "+12025550100"]).prop_map(|p| Phone::from_e164(p).expect("E.164"))
}

pub fn state() -> impl Strategy<Value = State> {
    prop_oneof![
        2 => Just(State::Idle),
        1 => phone().prop_map(|phone| State::ChoosingCompany { phone }),
        1 => Just(State::AwaitingNewTicket),
        1 => pending().prop_map(|pending| State::NewOrAttach { pending }),
        1 => pending().prop_map(|pending| State::ChoosingTicketToAttach { pending }),
        1 => (ticket_id(), any::<bool>())
            .prop_map(|(ticket_id, completed)| State::AwaitingComment { ticket_id, completed }),
    ]
}

pub fn link() -> impl Strategy<Value = Option<Link>> {
    prop_oneof![
        1 => Just(None),
        3 => (id(), id(), name())
            .prop_map(|(contact_id, client_id, name)| Some(Link::Contact { contact_id, client_id, name })),
        1 => (id(), name()).prop_map(|(employee_id, name)| Some(Link::Employee { employee_id, name })),
    ]
}

pub fn user_record() -> impl Strategy<Value = UserRecord> {
    (link(), state(), 0..1_000_000u64).prop_map(|(link, state, version)| UserRecord {
        link,
        state,
        version,
        // Picked by the version, as [`inbound`]'s language code by the update's id.
        language: [
            None,
            Some((Lang::Ru, false)),
            Some((Lang::En, false)),
            Some((Lang::Ru, true)),
            Some((Lang::En, true)),
        ][(version % 5) as usize]
            .map(|(lang, chosen)| Language { lang, chosen }),
    })
}

fn status() -> impl Strategy<Value = TicketStatus> {
    select(TicketStatus::ALL.to_vec())
}

/// A ticket of the desk: this contact's or another's, made in the bot or by staff.
pub fn ticket() -> impl Strategy<Value = Ticket> {
    let assignee = prop::option::of((id(), prop::option::of(name())));
    let deadline = prop::option::of(0..4_102_444_800i64);
    (1..=12u64, select(vec!["c1", "c2"]), name(), status(), assignee, deadline).prop_map(
        |(id, contact_id, subject, status, assignee, deadline)| {
            let at = Utc.timestamp_opt(1_764_000_000, 0).unwrap();
            Ticket {
                subject,
                source: "messenger".into(),
                assignee_name: assignee.as_ref().and_then(|(_, name)| name.clone()),
                assignee_id: assignee.map(|(id, _)| id),
                deadline: deadline.map(|d| Utc.timestamp_opt(d, 0).unwrap()),
                ..shared::test_util::fixtures::ticket(id, contact_id, status, at)
            }
        },
    )
}

/// The service desk as the app's reads find it.
#[derive(Debug, Clone)]
pub struct Desk {
    pub matches: PhoneMatches,
    /// Every ticket, of every contact (ids are unique).
    pub tickets: Vec<Ticket>,
    pub next_ticket_id: u64,
    pub album: Option<AlbumTarget>,
    pub manager: Option<Manager>,
}

fn contact_match() -> impl Strategy<Value = ContactMatch> {
    (id(), id(), name(), name(), any::<bool>(), prop::option::of(prop_oneof![Just(ME), any::<u64>()])).prop_map(
        |(contact_id, client_id, client_name, name, active, linked_user)| ContactMatch {
            contact_id,
            client_id,
            client_name,
            name,
            active,
            linked_user,
        },
    )
}

fn employee_match() -> impl Strategy<Value = EmployeeMatch> {
    (id(), name(), prop::option::of(any::<u64>())).prop_map(|(employee_id, name, linked_user)| EmployeeMatch {
        employee_id,
        name,
        active: true,
        linked_user,
    })
}

pub fn desk() -> impl Strategy<Value = Desk> {
    let matches = (prop::collection::vec(contact_match(), 0..5), prop::collection::vec(employee_match(), 0..2))
        .prop_map(|(contacts, employees)| PhoneMatches { contacts, employees });
    let album = prop::option::of(prop_oneof![
        Just(AlbumTarget::Pending),
        (ticket_id(), prop::option::of(one_of(&["c7", "c8"])))
            .prop_map(|(ticket_id, comment_id)| AlbumTarget::Ticket { ticket_id, comment_id }),
    ]);
    let manager =
        prop::option::of((id(), any::<bool>()).prop_map(|(employee_id, linked)| Manager { employee_id, linked }));
    (matches, prop::collection::vec(ticket(), 0..10), 1..u64::MAX, album, manager).prop_map(
        |(matches, mut tickets, next_ticket_id, album, manager)| {
            tickets.sort_by_key(|t| std::cmp::Reverse(t.id));
            tickets.dedup_by_key(|t| t.id);
            Desk { matches, tickets, next_ticket_id, album, manager }
        },
    )
}

impl Desk {
    /// The fact `need` asks for, read as the app reads it. Files of `big-` ids are refused
    /// as too large by Telegram; the others are stored.
    pub fn answer(&self, need: &Need, input: &Inbound, facts: &mut Facts) {
        match need {
            Need::PhoneMatches(_) => facts.phone_matches = Some(self.matches.clone()),
            Need::Tickets { contact_id } => {
                let summaries = self
                    .tickets
                    .iter()
                    .filter(|t| &t.contact_id == contact_id)
                    .map(|t| TicketSummary { id: t.id, subject: t.subject.clone(), status: t.status })
                    .collect();
                facts.tickets = Some(summaries);
            }
            Need::StoreFiles => {
                let Event::Message(content) = &input.event else { return };
                let mut files = StoredFiles::default();
                for file in &content.files {
                    if file.file_id.starts_with("big-") {
                        files.rejected.push(RejectedFile { name: file.name.clone(), why: Rejection::TooLarge });
                    } else {
                        files.stored.push(StoredFile {
                            telegram: None,
                            name: file.name.clone(),
                            content_type: "application/octet-stream".into(),
                            size: 1,
                            key: shared::media::object_key(&file.unique_id, &file.name),
                        });
                    }
                }
                facts.files = Some(files);
            }
            Need::NewTicketId => facts.new_ticket_id = Some(self.next_ticket_id),
            Need::Album(_) => facts.album = Some(self.album.clone()),
            // Some messages are remembered as about a ticket (anyone's), most are not.
            Need::RepliedTo(message_id) => {
                let at = usize::try_from(*message_id).unwrap_or_default();
                facts.replied_to = Some(self.tickets.get(at).map(|t| shared::ports::RememberedMessage::of(t.id)));
            }
            Need::Ticket(id) => facts.read_tickets.push((*id, self.tickets.iter().find(|t| t.id == *id).cloned())),
            Need::Manager { .. } => facts.manager = Some(self.manager.clone()),
            Need::ManagerId { .. } => facts.manager_id = Some(self.manager.as_ref().map(|m| m.employee_id.clone())),
            Need::Assigned { employee_id } => {
                let summaries = self
                    .tickets
                    .iter()
                    .filter(|t| t.assignee_id.as_ref() == Some(employee_id) && t.status.is_active())
                    .map(|t| TicketSummary { id: t.id, subject: t.subject.clone(), status: t.status })
                    .collect();
                facts.assigned = Some(summaries);
            }
            // The linked contact: its phone is the one whose matches the desk holds.
            Need::Contact(id) => {
                facts.contact = Some(Some(shared::domain::Contact {
                    id: id.clone(),
                    name: "Анна".into(),
                    phone: shared::phone::Phone::from_e164("+79123456789").expect("an E.164 number"),
                    client_id: "k1".into(),
                    active: true,
                    telegram_user: Some(ME),
                }))
            }
            Need::StandingCallMe { .. } => facts.standing_call_me = Some(None),
            Need::Now => facts.now = Some(chrono::Utc::now()),
        }
    }
}
