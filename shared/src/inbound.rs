//! Telegram updates in: a webhook body becomes an [`Inbound`], read leniently.
//!
//! Only the fields the bot acts on are read, and each on its own ([`Lenient`]): a field that is
//! missing, null, or of another shape than this code reads counts as absent and costs nothing
//! else. An update of an older or newer shape than today's Bot API types (the samples of
//! Telegram's webhook guide have no `is_bot` and no `file_unique_id`; every Bot API release adds
//! fields) is acted on whenever it carries what the bot needs: the sender, the chat, and text,
//! a caption, files or a contact (or content of a kind the bot names in its refusal). A
//! private-chat update that lacks those is [`Parsed::Incomplete`]: answered 200, logged at WARN
//! and counted by the webhook.

use crate::dialogue::{
    Command, Content, Event, FileKind, Inbound, IncomingFile, PressedMessage, RepliedTo, Unsupported,
};
use crate::media::MAX_DOWNLOAD_BYTES;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// What an HTTP body carrying a Telegram update turned out to be.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    Inbound(Inbound),
    /// An update the bot does not act on by design (a kind it does not use, a group chat, an
    /// edit without text, a kind newer than this code). Telegram must get 200 for it, or it redelivers.
    Ignored {
        update_id: u64,
        why: &'static str,
    },
    /// A message, button press or membership change of a private chat without what the bot
    /// needs to act on it (the sender, the chat, anything it could take). Answered 200 (a
    /// redelivery carries no more), logged at WARN and counted.
    Incomplete {
        update_id: u64,
        why: &'static str,
    },
    /// Not an update at all.
    Malformed(String),
}

/// The kinds of update the parser reads (any other is [`Parsed::Ignored`]). The sample events
/// cover each (`tests/tests/events.rs`).
pub const UPDATE_KINDS: [&str; 4] = ["message", "edited_message", "callback_query", "my_chat_member"];

/// What of a message the parser reads as its content ([`WireMessage`]'s fields a ticket or
/// comment is made of, or a polite refusal is chosen by); `game` stands for the other kinds
/// refused alike. The sample events cover each (`tests/tests/events.rs`).
pub const MESSAGE_CONTENTS: [&str; 16] = [
    "text",
    "caption",
    "contact",
    "photo",
    "document",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "location",
    "venue",
    "sticker",
    "poll",
    "dice",
    "game",
];

/// Parses a webhook body. Never fails on a well-formed update, whatever its kind or shape.
pub fn parse_update(body: &[u8]) -> Parsed {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return Parsed::Malformed(format!("not JSON: {error}")),
    };
    let Some(update_id) = value.get("update_id").and_then(Value::as_u64) else {
        return Parsed::Malformed("no update_id".into());
    };
    let ignored = |why| Parsed::Ignored { update_id, why };
    let incomplete = |why| Parsed::Incomplete { update_id, why };
    if let Some(message) = value.get("message") {
        let Some(message) = read::<WireMessage>(message) else { return incomplete("a message that is not an object") };
        let chat = message.chat.0.as_ref();
        if chat.is_some_and(|chat| !chat.is_private()) {
            return ignored("a message outside a private chat");
        }
        let (Some(chat), Some(from)) = (chat, message.from.0.as_ref()) else {
            return incomplete("a message without its sender or chat");
        };
        let Some(event) = message_event(&message) else { return incomplete("a message with nothing the bot takes") };
        let language_code = from.language();
        return Parsed::Inbound(Inbound { update_id, user_id: from.id, chat_id: chat.id, event, language_code });
    }
    if let Some(edited) = value.get("edited_message") {
        // An edit counts only as a correction of a message that became a ticket or comment:
        // its id, its text as it now reads, and when it was first sent (the 48-hour window).
        let Some(edited) = read::<WireMessage>(edited) else { return ignored("an edit that is not an object") };
        let chat = edited.chat.0.as_ref().filter(|chat| chat.is_private());
        let (Some(chat), Some(from), Some(message_id)) = (chat, edited.from.0.as_ref(), edited.message_id.0) else {
            return ignored("an edit outside a private chat, or without its sender or message");
        };
        let Some(text) = edited.text.0.or(edited.caption.0) else { return ignored("an edit without text") };
        let sent_at = edited.date.0.and_then(|at| chrono::DateTime::from_timestamp(at, 0));
        let event = Event::Edited { message_id, text, sent_at };
        let language_code = from.language();
        return Parsed::Inbound(Inbound { update_id, user_id: from.id, chat_id: chat.id, event, language_code });
    }
    if let Some(press) = value.get("callback_query") {
        let Some(press) = read::<WirePress>(press) else { return incomplete("a button press that is not an object") };
        let (Some(id), Some(from)) = (press.id(), press.from.0.as_ref()) else {
            return incomplete("a button press without its id or sender");
        };
        // A press on a message too old for Telegram to send still names its chat; one on an
        // inline-mode message names none: the presser's private chat.
        let chat = press.message.0.as_ref().and_then(|m| m.chat.0.as_ref());
        if chat.is_some_and(|chat| !chat.is_private()) {
            return ignored("a button outside a private chat");
        }
        let Some(chat_id) = chat.map(|chat| chat.id).or_else(|| i64::try_from(from.id).ok()) else {
            return incomplete("a button press without a chat");
        };
        let data = press.data.0.unwrap_or_default();
        let message = press.message.0.as_ref().and_then(WirePressMessage::pressed);
        let language_code = from.language();
        return Parsed::Inbound(Inbound {
            update_id,
            user_id: from.id,
            chat_id,
            event: Event::Press { id, data, message },
            language_code,
        });
    }
    if let Some(member) = value.get("my_chat_member") {
        let Some(member) = read::<WireMember>(member) else {
            return incomplete("a membership change that is not an object");
        };
        let chat = member.chat.0.as_ref();
        if chat.is_some_and(|chat| !chat.is_private()) {
            return ignored("a membership change outside a private chat");
        }
        let (Some(chat), Some(from)) = (chat, member.from.0.as_ref()) else {
            return incomplete("a membership change without its user or chat");
        };
        let blocked = match member.new_chat_member.0.and_then(|m| m.status.0).as_deref() {
            Some("kicked") => true,
            Some("member") => false,
            _ => return ignored("a membership change the bot does not track"),
        };
        return Parsed::Inbound(Inbound {
            update_id,
            user_id: from.id,
            chat_id: chat.id,
            event: Event::BlockedBot(blocked),
            language_code: from.language(),
        });
    }
    ignored("an update kind this bot does not act on")
}

/// A field read on its own: `None` when it is absent, null, or of a shape this code does not
/// read. One odd field never costs the update the fields the bot needs.
#[derive(Debug)]
struct Lenient<T>(Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Ok(Lenient(if value.is_null() { None } else { serde_json::from_value(value).ok() }))
    }
}

/// An object of the update as the bot reads it; `None` if it is not an object.
fn read<T: DeserializeOwned>(value: &Value) -> Option<T> {
    value.is_object().then(|| T::deserialize(value).ok()).flatten()
}

/// A user: the id and the app's language are read (the guide's samples have no `is_bot`).
#[derive(Debug, Deserialize)]
struct WireUser {
    id: u64,
    /// The IETF tag of the user's Telegram app language (`en`, `en-GB`), when Telegram sends it.
    #[serde(default)]
    language_code: Lenient<String>,
}

impl WireUser {
    /// The language code, if it looks like one (a short tag; anything else is no code).
    fn language(&self) -> Option<String> {
        let code = self.language_code.0.as_deref()?.trim();
        let plausible =
            (2..=35).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        plausible.then(|| code.to_owned())
    }
}

#[derive(Debug, Deserialize)]
struct WireChat {
    id: i64,
    /// Older samples have no type: a positive id is a user's private chat.
    #[serde(rename = "type", default)]
    kind: Lenient<String>,
}

impl WireChat {
    /// Groups and channels have negative ids; a type, when given, must say so too.
    fn is_private(&self) -> bool {
        self.id > 0 && self.kind.0.as_deref().is_none_or(|kind| kind == "private")
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireMessage {
    message_id: Lenient<i64>,
    from: Lenient<WireUser>,
    chat: Lenient<WireChat>,
    date: Lenient<i64>,
    text: Lenient<String>,
    caption: Lenient<String>,
    media_group_id: Lenient<String>,
    reply_to_message: Lenient<WireReplied>,
    contact: Lenient<WireContact>,
    photo: Lenient<Vec<Lenient<WirePhotoSize>>>,
    document: Lenient<WireFile>,
    voice: Lenient<WireFile>,
    audio: Lenient<WireFile>,
    video: Lenient<WireFile>,
    video_note: Lenient<WireFile>,
    sticker: Lenient<Value>,
    location: Lenient<WireLocation>,
    venue: Lenient<WireVenue>,
    poll: Lenient<Value>,
    dice: Lenient<Value>,
    /// A GIF; Telegram sets `document` to it too, which is then the one taken.
    animation: Lenient<WireFile>,
    game: Lenient<Value>,
    story: Lenient<Value>,
    invoice: Lenient<Value>,
    paid_media: Lenient<Value>,
    checklist: Lenient<Value>,
    giveaway: Lenient<Value>,
}

/// The message a message replies to: only a bot's counts (in a private chat, this bot's).
#[derive(Debug, Deserialize)]
struct WireReplied {
    message_id: i64,
    #[serde(default)]
    from: Lenient<WireSender>,
    #[serde(default)]
    text: Lenient<String>,
}

#[derive(Debug, Deserialize)]
struct WireSender {
    #[serde(default)]
    is_bot: Lenient<bool>,
}

impl WireReplied {
    fn bots(&self) -> Option<RepliedTo> {
        let from_bot = self.from.0.as_ref().and_then(|from| from.is_bot.0) == Some(true);
        from_bot.then(|| RepliedTo { message_id: self.message_id, text: self.text.0.clone() })
    }
}

#[derive(Debug, Deserialize)]
struct WireContact {
    phone_number: String,
    /// Set by Telegram to the account the card belongs to.
    #[serde(default)]
    user_id: Lenient<u64>,
    #[serde(default)]
    first_name: Lenient<String>,
    #[serde(default)]
    last_name: Lenient<String>,
}

impl WireContact {
    /// The card as text in a ticket: «👤 Иван Петров, +79990001122».
    fn as_text(&self) -> String {
        let name = [&self.first_name.0, &self.last_name.0].into_iter().flatten().map(|n| n.trim()).collect::<Vec<_>>();
        let name = name.join(" ");
        let phone = self.phone_number.trim();
        let phone = if phone.bytes().all(|b| b.is_ascii_digit()) { format!("+{phone}") } else { phone.to_owned() };
        if name.trim().is_empty() {
            format!("👤 {phone}")
        } else {
            format!("👤 {}, {phone}", name.trim())
        }
    }
}

/// A point on the map (a live location's first position, when it is live).
#[derive(Debug, Deserialize)]
struct WireLocation {
    latitude: f64,
    longitude: f64,
}

impl WireLocation {
    /// «📍 55.751244, 37.618423» and a link to the point on OpenStreetMap.
    fn as_text(&self) -> Option<String> {
        let (lat, lon) = (self.latitude, self.longitude);
        let on_earth = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        on_earth.then(|| {
            format!("📍 {lat:.6}, {lon:.6}\nhttps://www.openstreetmap.org/?mlat={lat:.6}&mlon={lon:.6}#map=17/{lat:.6}/{lon:.6}")
        })
    }
}

/// A place: its title and address, and where it is.
#[derive(Debug, Deserialize)]
struct WireVenue {
    location: WireLocation,
    #[serde(default)]
    title: Lenient<String>,
    #[serde(default)]
    address: Lenient<String>,
}

impl WireVenue {
    /// «🏢 Кафе «Пушкин», Тверской бульвар, 26А» above the point.
    fn as_text(&self) -> Option<String> {
        let place = [&self.title.0, &self.address.0].into_iter().flatten().map(|t| t.trim()).filter(|t| !t.is_empty());
        let place = place.collect::<Vec<_>>().join(", ");
        let point = self.location.as_text()?;
        Some(if place.is_empty() { point } else { format!("🏢 {place}\n{point}") })
    }
}

#[derive(Debug, Deserialize)]
struct WirePhotoSize {
    file_id: String,
    #[serde(default)]
    file_unique_id: Lenient<String>,
    #[serde(default)]
    width: Lenient<u64>,
    #[serde(default)]
    height: Lenient<u64>,
    #[serde(default)]
    file_size: Lenient<u64>,
}

/// A document, voice message, audio, video or video note.
#[derive(Debug, Deserialize)]
struct WireFile {
    file_id: String,
    #[serde(default)]
    file_unique_id: Lenient<String>,
    #[serde(default)]
    file_name: Lenient<String>,
    #[serde(default)]
    mime_type: Lenient<String>,
    #[serde(default)]
    file_size: Lenient<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WirePress {
    /// A string; a number is taken as its digits.
    id: Lenient<Value>,
    from: Lenient<WireUser>,
    message: Lenient<WirePressMessage>,
    data: Lenient<String>,
}

impl WirePress {
    fn id(&self) -> Option<String> {
        match self.id.0.as_ref()? {
            Value::String(id) if !id.is_empty() => Some(id.clone()),
            Value::Number(id) => Some(id.to_string()),
            _ => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WirePressMessage {
    message_id: Lenient<i64>,
    chat: Lenient<WireChat>,
    reply_markup: Lenient<WireMarkup>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireMarkup {
    inline_keyboard: Lenient<Vec<Vec<WireButton>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireButton {
    text: Lenient<String>,
    url: Lenient<String>,
}

impl WirePressMessage {
    /// The message as a press names it: its id, and the link buttons it carries.
    fn pressed(&self) -> Option<PressedMessage> {
        let rows = self.reply_markup.0.as_ref().and_then(|m| m.inline_keyboard.0.as_ref());
        let links = rows
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|b| Some((b.text.0.clone()?, b.url.0.clone().filter(|u| u.starts_with("https://"))?)))
            .collect();
        Some(PressedMessage { id: self.message_id.0?, links })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireMember {
    chat: Lenient<WireChat>,
    from: Lenient<WireUser>,
    new_chat_member: Lenient<WireMemberStatus>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireMemberStatus {
    status: Lenient<String>,
}

/// What a message asks of the bot; `None` when it carries nothing the bot takes or names.
fn message_event(message: &WireMessage) -> Option<Event> {
    if let Some(command) = message.text.0.as_deref().and_then(command_in) {
        return Some(command);
    }
    // A place is kept as text: a venue with its title and address, a location as its point.
    let place = message
        .venue
        .0
        .as_ref()
        .and_then(WireVenue::as_text)
        .or_else(|| message.location.0.as_ref().and_then(WireLocation::as_text));
    let mut content = Content {
        text: message.text.0.clone().or_else(|| message.caption.0.clone()).or(place),
        album: message.media_group_id.0.clone().filter(|id| id.len() <= MAX_ALBUM_ID_BYTES),
        sent_at: message.date.0.and_then(|at| chrono::DateTime::from_timestamp(at, 0)),
        reply_to: message.reply_to_message.0.as_ref().and_then(WireReplied::bots),
        message_id: message.message_id.0,
        ..Content::default()
    };
    if let Some(contact) = &message.contact.0 {
        // Someone else's card is kept as text; one's own proves one's phone (registration).
        let card = Box::new(Content { text: Some(contact.as_text()), ..content });
        return Some(Event::Contact { phone: contact.phone_number.clone(), owner: contact.user_id.0, card });
    }
    for file in files_of(message) {
        // The update says how big a file is: over the limit, getFile would refuse it.
        if file.size.is_some_and(|size| size > MAX_DOWNLOAD_BYTES) {
            content.too_large.push(file.name);
        } else {
            content.files.push(file);
        }
    }
    if content.text.is_some() || !content.files.is_empty() || !content.too_large.is_empty() {
        return Some(Event::Message(content));
    }
    let present = |field: &Lenient<Value>| field.0.is_some();
    let kind = if present(&message.sticker) {
        Unsupported::Sticker
    } else if present(&message.poll) {
        Unsupported::Poll
    } else if present(&message.dice) {
        Unsupported::Dice
    } else if [
        &message.game,
        &message.story,
        &message.invoice,
        &message.paid_media,
        &message.checklist,
        &message.giveaway,
    ]
    .into_iter()
    .any(present)
    {
        Unsupported::Other
    } else {
        // A service message (a pin, a timer change) or content of a kind unknown here.
        return None;
    };
    Some(Event::Unsupported(kind))
}

/// The command a text starts with: `/name`, optionally `@botname`, then a space or the end
/// (`/start ref-1` carries a deep-link payload). A name the bot does not have is an
/// [`Event::UnknownCommand`]; text that is not of that form (`/etc/hosts не открывается`) is
/// not a command.
fn command_in(text: &str) -> Option<Event> {
    let mut words = text.split_whitespace();
    let word = words.next()?.strip_prefix('/')?;
    let (name, bot) = match word.split_once('@') {
        Some((name, bot)) => (name, Some(bot)),
        None => (word, None),
    };
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    // Telegram's command names are 1–32 of `a-z 0-9 _`.
    if name.len() > 32 || !plain(name) || bot.is_some_and(|bot| !plain(bot)) {
        return None;
    }
    let command = Command::named(name);
    // A deep link to a ticket: `/start t<id>`.
    if command == Some(Command::Start) {
        if let Some(id) = words.next().and_then(crate::dialogue::ticket_of_payload) {
            return Some(Event::OpenTicket(id));
        }
    }
    Some(command.map_or(Event::UnknownCommand, Event::Command))
}

/// Telegram's album ids are short numbers. A longer one could not key the album's claim (a
/// DynamoDB key is at most 2 KB), so such a part is taken as a message of its own.
const MAX_ALBUM_ID_BYTES: usize = 256;

/// The declared MIME type if a `Content-Type` header can carry it (printable ASCII with a `/`,
/// at most 255 bytes): it becomes the stored object's. Otherwise none, and the file is stored
/// as `application/octet-stream`.
fn mime_type(declared: Option<&str>) -> Option<String> {
    let declared = declared?;
    let printable = declared.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
    (printable && declared.len() <= 255 && declared.contains('/')).then(|| declared.to_owned())
}

/// The longest file name kept (file systems' usual limit). A name is kept in the user's record
/// while its message waits for a choice, and that record is at most 400 KB.
pub const MAX_FILE_NAME_CHARS: usize = 255;

/// The name as kept: a longer one is cut in its stem, the extension kept.
fn kept_name(name: String) -> String {
    if name.chars().count() <= MAX_FILE_NAME_CHARS {
        return name;
    }
    let extension = name.rsplit_once('.').map(|(_, ext)| ext).filter(|ext| (1..=10).contains(&ext.chars().count()));
    let stem: String =
        name.chars().take(MAX_FILE_NAME_CHARS - extension.map_or(0, |ext| ext.chars().count() + 1)).collect();
    match extension {
        Some(extension) => format!("{stem}.{extension}"),
        None => stem,
    }
}

/// The files a message carries. Of a photo's sizes the largest is taken. A file without a
/// `file_unique_id` (older updates) is keyed by its `file_id`, which is as stable for this bot.
fn files_of(message: &WireMessage) -> Vec<IncomingFile> {
    let mut files = vec![];
    let made_name = |prefix: &str, unique: &str, ext: &str| format!("{prefix}-{unique}.{ext}");
    let unique = |id: &Lenient<String>, file_id: &str| id.0.clone().unwrap_or_else(|| file_id.to_owned());
    let sizes = message.photo.0.iter().flatten().filter_map(|size| size.0.as_ref());
    // In u64 with saturation: two huge sides must not overflow (a panic in a debug build).
    let area = |p: &WirePhotoSize| p.width.0.unwrap_or(0).saturating_mul(p.height.0.unwrap_or(0));
    if let Some(photo) = sizes.max_by_key(|p| (area(p), p.file_size.0)) {
        let unique_id = unique(&photo.file_unique_id, &photo.file_id);
        files.push(IncomingFile {
            file_id: photo.file_id.clone(),
            name: made_name("photo", &unique_id, "jpg"),
            unique_id,
            kind: FileKind::Photo,
            mime_type: Some("image/jpeg".into()),
            size: photo.file_size.0,
        });
    }
    // A GIF comes as `animation` and as `document` both (the Bot API's compatibility); older
    // or hand-made updates may carry only the first.
    let animation = if message.document.0.is_none() { &message.animation } else { &Lenient(None) };
    let kinds = [
        (&message.document, FileKind::Document, "document", "bin", None),
        (animation, FileKind::Document, "animation", "mp4", Some("video/mp4")),
        (&message.voice, FileKind::Voice, "voice", "ogg", Some("audio/ogg")),
        (&message.audio, FileKind::Audio, "audio", "mp3", None),
        (&message.video, FileKind::Video, "video", "mp4", None),
        (&message.video_note, FileKind::VideoNote, "video-note", "mp4", Some("video/mp4")),
    ];
    for (field, kind, prefix, extension, default_mime) in kinds {
        let Some(file) = &field.0 else { continue };
        let unique_id = unique(&file.file_unique_id, &file.file_id);
        // Voice messages and video notes have no names; the others may.
        let named = !matches!(kind, FileKind::Voice | FileKind::VideoNote);
        let name =
            file.file_name.0.clone().filter(|_| named).unwrap_or_else(|| made_name(prefix, &unique_id, extension));
        let mime = match kind {
            // A video note is always MP4 whatever it declares.
            FileKind::VideoNote => default_mime.map(str::to_owned),
            _ => mime_type(file.mime_type.0.as_deref()).or_else(|| default_mime.map(str::to_owned)),
        };
        files.push(IncomingFile {
            file_id: file.file_id.clone(),
            unique_id,
            kind,
            name,
            mime_type: mime,
            size: file.file_size.0,
        });
    }
    for file in &mut files {
        file.name = kept_name(std::mem::take(&mut file.name));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lists the sample events are held to name only what the parser reads: each update
    /// kind is acted on, and a message of each content alone is taken (or refused by name).
    #[test]
    fn the_listed_kinds_and_contents_are_read() {
        let from = json!({"id": 42, "is_bot": false, "first_name": "A"});
        let chat = json!({"id": 42, "type": "private"});
        let file = json!({"file_id": "f", "file_unique_id": "u", "file_size": 10});
        for kind in UPDATE_KINDS {
            let body = match kind {
                "callback_query" => json!({"id": "q", "from": from, "data": "na:new"}),
                "my_chat_member" => json!({"chat": chat, "from": from, "date": 1,
                    "old_chat_member": {"status": "member"}, "new_chat_member": {"status": "kicked"}}),
                _ => json!({"message_id": 1, "date": 1, "chat": chat, "from": from, "text": "x"}),
            };
            let update = serde_json::to_vec(&json!({"update_id": 1, kind: body})).unwrap();
            assert!(matches!(parse_update(&update), Parsed::Inbound(_)), "{kind}");
        }
        for content in MESSAGE_CONTENTS {
            let value = match content {
                "text" | "caption" => json!("x"),
                "contact" => json!({"phone_number": "79001234567", "first_name": "A"}),
                "photo" => json!([file]),
                "location" => json!({"latitude": 55.75, "longitude": 37.62}),
                "venue" => json!({"location": {"latitude": 55.75, "longitude": 37.62}, "title": "T", "address": "A"}),
                "sticker" | "poll" | "dice" | "game" => json!({}),
                _ => file.clone(),
            };
            let message = json!({"message_id": 1, "date": 1, "chat": chat, "from": from, content: value});
            let update = serde_json::to_vec(&json!({"update_id": 1, "message": message})).unwrap();
            assert!(matches!(parse_update(&update), Parsed::Inbound(_)), "{content}");
        }
    }
    use serde_json::json;

    fn message(extra: Value) -> Vec<u8> {
        let mut message = json!({
            "message_id": 5, "date": 1700000000,
            "chat": {"id": 42, "type": "private", "first_name": "Анна"},
            "from": {"id": 42, "is_bot": false, "first_name": "Анна"}
        });
        message.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        serde_json::to_vec(&json!({"update_id": 7, "message": message})).unwrap()
    }

    fn event_of(body: &[u8]) -> Event {
        match parse_update(body) {
            Parsed::Inbound(inbound) => inbound.event,
            other => panic!("expected an inbound update, got {other:?}"),
        }
    }

    #[test]
    fn start_text_and_contact_become_events() {
        assert_eq!(event_of(&message(json!({"text": "/start"}))), Event::Command(Command::Start));
        assert_eq!(event_of(&message(json!({"text": "/start ref-1"}))), Event::Command(Command::Start));
        assert_eq!(
            event_of(&message(json!({"text": "Принтер не печатает"}))),
            Event::Message(Content {
                text: Some("Принтер не печатает".into()),
                // The message's `date`: a message sent long after a waiting one starts over.
                sent_at: chrono::DateTime::from_timestamp(1_700_000_000, 0),
                // Its id: remembered with the ticket it becomes, so that an edit corrects it.
                message_id: Some(5),
                ..Content::default()
            })
        );
        let contact = json!({"contact": {"phone_number": "79123456789", "first_name": "Анна", "user_id": 42}});
        let card = Content {
            text: Some("👤 Анна, +79123456789".into()),
            message_id: Some(5),
            sent_at: chrono::DateTime::from_timestamp(1700000000, 0),
            ..Content::default()
        };
        assert_eq!(
            event_of(&message(contact)),
            Event::Contact { phone: "79123456789".into(), owner: Some(42), card: Box::new(card) }
        );
    }

    #[test]
    fn the_senders_language_code_is_read_leniently() {
        let code_of = |from: Value| {
            let update = json!({"update_id": 8, "message": {
                "message_id": 5, "date": 1700000000,
                "chat": {"id": 42, "type": "private"}, "from": from, "text": "/language"
            }});
            match parse_update(&serde_json::to_vec(&update).unwrap()) {
                Parsed::Inbound(inbound) => {
                    assert_eq!(inbound.event, Event::Command(Command::Language));
                    inbound.language_code
                }
                other => panic!("expected an inbound update, got {other:?}"),
            }
        };
        assert_eq!(code_of(json!({"id": 42, "language_code": "en-GB"})), Some("en-GB".into()));
        assert_eq!(code_of(json!({"id": 42, "language_code": " ru "})), Some("ru".into()));
        // Absent, of another type, or not a tag: no code, and the update is still taken.
        for odd in [json!({"id": 42}), json!({"id": 42, "language_code": 7}), json!({"id": 42, "language_code": "<b>"})]
        {
            assert_eq!(code_of(odd), None);
        }
        let press = json!({"update_id": 9, "callback_query": {"id": "q", "from": {"id": 42, "language_code": "en"}, "data": "lg:en"}});
        let Parsed::Inbound(inbound) = parse_update(&serde_json::to_vec(&press).unwrap()) else { panic!("a press") };
        assert_eq!(inbound.language_code.as_deref(), Some("en"));
    }

    #[test]
    fn commands_are_told_from_text() {
        let cases = [
            ("/menu", Event::Command(Command::Menu)),
            ("/help", Event::Command(Command::Help)),
            ("/HELP@desk_bot", Event::Command(Command::Help)),
            ("/company", Event::Command(Command::Company)),
            ("/start@desk_bot payload", Event::Command(Command::Start)),
            ("/settings", Event::UnknownCommand),
            ("/новая", Event::Message(Content { text: Some("/новая".into()), ..Content::default() })),
            (
                "/etc/hosts не открывается",
                Event::Message(Content {
                    text: Some("/etc/hosts не открывается".into()), ..Content::default()
                }),
            ),
            ("/", Event::Message(Content { text: Some("/".into()), ..Content::default() })),
        ];
        for (text, expected) in cases {
            let mut event = event_of(
                &serde_json::to_vec(
                    &json!({"update_id": 1, "message": {"chat": {"id": 42}, "from": {"id": 42}, "text": text}}),
                )
                .unwrap(),
            );
            if let Event::Message(content) = &mut event {
                content.sent_at = None;
            }
            assert_eq!(event, expected, "{text}");
        }
    }

    #[test]
    fn a_sticker_is_unsupported_not_an_error() {
        let sticker = json!({"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1, "is_animated": false, "is_video": false}});
        assert_eq!(event_of(&message(sticker)), Event::Unsupported(Unsupported::Sticker));
        assert_eq!(crate::texts::unsupported_kind(Unsupported::Sticker, crate::texts::Lang::Ru), "стикер");
    }

    /// The text of a message's content, as the dialogue gets it.
    fn text_of(body: &[u8]) -> Option<String> {
        match event_of(body) {
            Event::Message(content) => content.text,
            other => panic!("a message, not {other:?}"),
        }
    }

    #[test]
    fn a_location_or_a_venue_is_kept_as_text_with_a_map_link() {
        let point = json!({"location": {"latitude": 55.751244, "longitude": 37.618423}});
        assert_eq!(
            text_of(&message(point)).as_deref(),
            Some("📍 55.751244, 37.618423\nhttps://www.openstreetmap.org/?mlat=55.751244&mlon=37.618423#map=17/55.751244/37.618423")
        );
        let live = json!({"location": {"latitude": 59.9, "longitude": 30.3, "live_period": 900, "heading": 90}});
        assert!(text_of(&message(live)).unwrap().starts_with("📍 59.900000, 30.300000\n"), "its first position");
        let venue = json!({
            "venue": {"location": {"latitude": 55.7, "longitude": 37.6}, "title": "Офис «Ромашки»", "address": "Тверская, 1"},
            "location": {"latitude": 55.7, "longitude": 37.6}
        });
        let text = text_of(&message(venue)).unwrap();
        assert!(text.starts_with("🏢 Офис «Ромашки», Тверская, 1\n📍 55.700000, 37.600000\n"), "{text}");
        let off_the_map = json!({"location": {"latitude": 91.0, "longitude": 0.0}});
        assert!(matches!(parse_update(&message(off_the_map)), Parsed::Incomplete { .. }), "nothing to keep");
    }

    #[test]
    fn a_gif_is_a_file_once_whether_it_comes_as_animation_and_document_or_alone() {
        let gif = json!({"file_id": "g", "file_unique_id": "gu", "file_name": "смех.mp4", "mime_type": "video/mp4", "file_size": 9000});
        for extra in
            [json!({"animation": gif, "document": gif}), json!({"animation": gif, "caption": "Вот так мигает"})]
        {
            let Event::Message(content) = event_of(&message(extra.clone())) else { panic!("a message: {extra}") };
            assert_eq!(content.files.len(), 1, "{extra}");
            assert_eq!((content.files[0].file_id.as_str(), content.files[0].name.as_str()), ("g", "смех.mp4"));
        }
        let captioned = json!({"animation": gif, "caption": "Вот так мигает"});
        assert_eq!(text_of(&message(captioned)).as_deref(), Some("Вот так мигает"), "the caption is the text");
    }

    #[test]
    fn unknown_kinds_are_ignored_and_garbage_is_malformed() {
        let future_kind = br#"{"update_id": 9, "some_future_update": {"x": 1}}"#;
        assert!(matches!(parse_update(future_kind), Parsed::Ignored { update_id: 9, .. }));
        let edited = serde_json::to_vec(&json!({"update_id": 10, "edited_message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "text": "x"}})).unwrap();
        assert!(matches!(parse_update(&edited), Parsed::Ignored { update_id: 10, .. }));
        assert!(matches!(parse_update(b"not json"), Parsed::Malformed(_)));
        assert!(matches!(parse_update(br#"{"message": {}}"#), Parsed::Malformed(_)));
        assert!(matches!(parse_update(br#"[1,2]"#), Parsed::Malformed(_)));
    }

    #[test]
    fn an_edit_carries_its_message_its_new_text_and_when_it_was_sent() {
        let edit = |fields: Value| {
            let mut edited = json!({"message_id": 7, "date": 1_790_000_000, "edit_date": 1_790_000_100, "chat": {"id": 5, "type": "private"}, "from": {"id": 5, "is_bot": false, "first_name": "x"}});
            edited.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
            parse_update(&serde_json::to_vec(&json!({"update_id": 13, "edited_message": edited})).unwrap())
        };
        let Parsed::Inbound(inbound) = edit(json!({"text": "Принтер на 3 этаже"})) else {
            panic!("an edit is acted on")
        };
        assert_eq!(
            inbound.event,
            Event::Edited {
                message_id: 7,
                text: "Принтер на 3 этаже".into(),
                sent_at: chrono::DateTime::from_timestamp(1_790_000_000, 0)
            }
        );
        let Parsed::Inbound(captioned) = edit(json!({"caption": "подпись", "photo": []})) else { panic!() };
        assert!(matches!(captioned.event, Event::Edited { text, .. } if text == "подпись"));
        assert!(matches!(edit(json!({"photo": []})), Parsed::Ignored { .. }), "nothing to correct with");
        assert!(matches!(edit(json!({"text": "x", "chat": {"id": -5, "type": "group"}})), Parsed::Ignored { .. }));
    }

    #[test]
    fn group_messages_are_ignored() {
        let body = serde_json::to_vec(&json!({"update_id": 11, "message": {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "group", "title": "g"}, "from": {"id": 5, "is_bot": false, "first_name": "x"}, "text": "/start"}})).unwrap();
        assert!(matches!(parse_update(&body), Parsed::Ignored { .. }));
    }

    /// Fields of another shape than today's Bot API types cost the update nothing it needs.
    #[test]
    fn fields_of_another_shape_are_passed_over() {
        let odd = json!({
            "update_id": 12,
            "message": {
                "message_id": "not a number", "date": "yesterday",
                "chat": {"id": 42, "type": "private", "first_name": 7},
                "from": {"id": 42, "is_bot": "no", "first_name": ["Анна"]},
                "entities": "bold",
                "photo": [{"file_id": "p", "width": "wide", "height": 1}, "not a size"],
                "document": {"file_id": "d", "file_name": 5, "mime_type": {"x": 1}, "file_size": -3},
                "caption": "Скан"
            }
        });
        let Event::Message(content) = event_of(&serde_json::to_vec(&odd).unwrap()) else { panic!("a message") };
        assert_eq!(content.text.as_deref(), Some("Скан"));
        assert_eq!(content.sent_at, None);
        let names: Vec<_> = content.files.iter().map(|f| (f.unique_id.as_str(), f.name.as_str())).collect();
        assert_eq!(names, [("p", "photo-p.jpg"), ("d", "document-d.bin")], "keyed by file_id when no unique id");
        assert_eq!(content.files[1].size, None);
        assert_eq!(content.files[1].mime_type, None);
    }

    #[test]
    fn an_update_without_what_the_bot_needs_is_incomplete() {
        for message in [
            json!({"chat": {"id": 42, "type": "private"}, "text": "кто я?"}),
            json!({"from": {"id": 42}, "text": "где я?"}),
            json!({"from": {"id": "42"}, "chat": {"id": 42}, "text": "id строкой"}),
            json!({"from": {"id": 42}, "chat": {"id": 42}, "pinned_message": {"message_id": 1}}),
            json!("a string"),
        ] {
            let body = serde_json::to_vec(&json!({"update_id": 13, "message": message})).unwrap();
            assert!(matches!(parse_update(&body), Parsed::Incomplete { update_id: 13, .. }), "{message}");
        }
        let press = json!({"update_id": 14, "callback_query": {"from": {"id": 42}, "data": "st:1"}});
        assert!(matches!(parse_update(&serde_json::to_vec(&press).unwrap()), Parsed::Incomplete { .. }));
    }
}
