//! Telegram Bot API adapter: updates in, messages out (frankenstein's `client_reqwest::Bot`).

use crate::config::Secret;
use crate::dialogue::{Content, Event, FileKind, Inbound, IncomingFile, InlineButton, Keyboard, Reply, Unsupported};
use crate::media::MAX_DOWNLOAD_BYTES;
use crate::ports::{DownloadError, FileSource, Messenger, SendError};
use frankenstein::methods::{AnswerCallbackQueryParams, SendMessageParams};
use frankenstein::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, MaybeInaccessibleMessage, Message, ReplyKeyboardMarkup,
    ReplyKeyboardRemove, ReplyMarkup,
};
use frankenstein::updates::{Update, UpdateContent};
use frankenstein::AsyncTelegramApi;
use serde_json::Value;
use std::time::Duration;

/// The update kinds the bot uses: the webhook is registered with these `allowed_updates`
/// (so Telegram does not send, and bill our Lambda for, kinds the bot ignores).
pub fn allowed_updates() -> Vec<frankenstein::types::AllowedUpdate> {
    use frankenstein::types::AllowedUpdate;
    vec![AllowedUpdate::Message, AllowedUpdate::CallbackQuery, AllowedUpdate::MyChatMember]
}

/// What an HTTP body carrying a Telegram update turned out to be.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    Inbound(Inbound),
    /// A well-formed update the bot does not act on (a kind it does not use, a group chat, an
    /// edit, a kind newer than this code). Telegram must get 200 for it, or it redelivers.
    Ignored {
        update_id: u64,
        why: &'static str,
    },
    /// Not an update at all.
    Malformed(String),
}

/// Parses a webhook body. Never fails on a well-formed update of an unknown kind.
pub fn parse_update(body: &[u8]) -> Parsed {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return Parsed::Malformed(format!("not JSON: {error}")),
    };
    let Some(update_id) = value.get("update_id").and_then(Value::as_u64) else {
        return Parsed::Malformed("no update_id".into());
    };
    // frankenstein's Update has no catch-all variant: a kind it does not know fails to parse.
    let update: Update = match serde_json::from_value(value) {
        Ok(update) => update,
        Err(_) => return Parsed::Ignored { update_id, why: "an update kind this bot does not know" },
    };
    from_update(update_id, update)
}

fn from_update(update_id: u64, update: Update) -> Parsed {
    let ignored = |why| Parsed::Ignored { update_id, why };
    match update.content {
        UpdateContent::Message(message) => {
            if message.chat.id <= 0 {
                return ignored("a message outside a private chat");
            }
            let Some(from) = message.from.as_deref() else { return ignored("a message without a sender") };
            Parsed::Inbound(Inbound {
                update_id,
                user_id: from.id,
                chat_id: message.chat.id,
                event: message_event(&message),
            })
        }
        UpdateContent::CallbackQuery(query) => {
            let chat_id = match &query.message {
                Some(MaybeInaccessibleMessage::Message(m)) => m.chat.id,
                Some(MaybeInaccessibleMessage::InaccessibleMessage(m)) => m.chat.id,
                None => query.from.id as i64,
            };
            if chat_id <= 0 {
                return ignored("a button outside a private chat");
            }
            let data = query.data.clone().unwrap_or_default();
            Parsed::Inbound(Inbound {
                update_id,
                user_id: query.from.id,
                chat_id,
                event: Event::Press { id: query.id.clone(), data },
            })
        }
        UpdateContent::MyChatMember(member) => {
            if member.chat.id <= 0 {
                return ignored("a membership change outside a private chat");
            }
            let status = serde_json::to_value(&member.new_chat_member).ok().and_then(|v| v.get("status").cloned());
            let blocked = match status.as_ref().and_then(Value::as_str) {
                Some("kicked") => true,
                Some("member") => false,
                _ => return ignored("a membership change the bot does not track"),
            };
            Parsed::Inbound(Inbound {
                update_id,
                user_id: member.from.id,
                chat_id: member.chat.id,
                event: Event::BlockedBot(blocked),
            })
        }
        _ => ignored("an update kind this bot does not act on"),
    }
}

fn message_event(message: &Message) -> Event {
    if let Some(contact) = &message.contact {
        return Event::Contact { phone: contact.phone_number.clone(), owner: contact.user_id };
    }
    if let Some(text) = &message.text {
        let command = text.split_whitespace().next().unwrap_or_default();
        // `/start` may carry a deep-link payload (`/start abc`) or the bot's name (`/start@bot`).
        if command == "/start" || command.starts_with("/start@") {
            return Event::Start;
        }
    }
    let mut content = Content {
        text: message.text.clone().or_else(|| message.caption.clone()),
        album: message.media_group_id.clone().filter(|id| id.len() <= MAX_ALBUM_ID_BYTES),
        sent_at: i64::try_from(message.date).ok().and_then(|at| chrono::DateTime::from_timestamp(at, 0)),
        ..Content::default()
    };
    for file in files_of(message) {
        // The update says how big a file is: over the limit, getFile would refuse it.
        if file.size.is_some_and(|size| size > MAX_DOWNLOAD_BYTES) {
            content.too_large.push(file.name);
        } else {
            content.files.push(file);
        }
    }
    if content.text.is_some() || !content.files.is_empty() || !content.too_large.is_empty() {
        return Event::Message(content);
    }
    let kind = if message.sticker.is_some() {
        Unsupported::Sticker
    } else if message.location.is_some() || message.venue.is_some() {
        Unsupported::Location
    } else if message.poll.is_some() {
        Unsupported::Poll
    } else if message.dice.is_some() {
        Unsupported::Dice
    } else if message.animation.is_some() {
        Unsupported::Animation
    } else {
        Unsupported::Other
    };
    Event::Unsupported(kind)
}

/// Telegram's album ids are short numbers. A longer one could not key the album's claim (a
/// DynamoDB key is at most 2 KB), so such a part is taken as a message of its own.
const MAX_ALBUM_ID_BYTES: usize = 256;

/// The declared MIME type if a `Content-Type` header can carry it (printable ASCII with a `/`,
/// at most 255 bytes): it becomes the stored object's. Otherwise none, and the file is stored
/// as `application/octet-stream`.
fn mime_type(declared: &Option<String>) -> Option<String> {
    let declared = declared.as_deref()?;
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

/// The files a message carries. Of a photo's sizes the largest is taken.
fn files_of(message: &Message) -> Vec<IncomingFile> {
    let mut files = vec![];
    let made_name = |prefix: &str, unique: &str, ext: &str| format!("{prefix}-{unique}.{ext}");
    // In u64: two u32 sides multiply past u32::MAX (a panic in a debug build, a wrong pick in release).
    let area = |p: &frankenstein::types::PhotoSize| u64::from(p.width) * u64::from(p.height);
    if let Some(photo) = message.photo.as_ref().and_then(|sizes| sizes.iter().max_by_key(|p| (area(p), p.file_size))) {
        files.push(IncomingFile {
            file_id: photo.file_id.clone(),
            unique_id: photo.file_unique_id.clone(),
            kind: FileKind::Photo,
            name: made_name("photo", &photo.file_unique_id, "jpg"),
            mime_type: Some("image/jpeg".into()),
            size: photo.file_size,
        });
    }
    if let Some(d) = &message.document {
        files.push(IncomingFile {
            file_id: d.file_id.clone(),
            unique_id: d.file_unique_id.clone(),
            kind: FileKind::Document,
            name: d.file_name.clone().unwrap_or_else(|| made_name("document", &d.file_unique_id, "bin")),
            mime_type: mime_type(&d.mime_type),
            size: d.file_size,
        });
    }
    if let Some(v) = &message.voice {
        files.push(IncomingFile {
            file_id: v.file_id.clone(),
            unique_id: v.file_unique_id.clone(),
            kind: FileKind::Voice,
            name: made_name("voice", &v.file_unique_id, "ogg"),
            mime_type: mime_type(&v.mime_type).or_else(|| Some("audio/ogg".into())),
            size: v.file_size,
        });
    }
    if let Some(a) = &message.audio {
        files.push(IncomingFile {
            file_id: a.file_id.clone(),
            unique_id: a.file_unique_id.clone(),
            kind: FileKind::Audio,
            name: a.file_name.clone().unwrap_or_else(|| made_name("audio", &a.file_unique_id, "mp3")),
            mime_type: mime_type(&a.mime_type),
            size: a.file_size,
        });
    }
    if let Some(v) = &message.video {
        files.push(IncomingFile {
            file_id: v.file_id.clone(),
            unique_id: v.file_unique_id.clone(),
            kind: FileKind::Video,
            name: v.file_name.clone().unwrap_or_else(|| made_name("video", &v.file_unique_id, "mp4")),
            mime_type: mime_type(&v.mime_type),
            size: v.file_size,
        });
    }
    if let Some(v) = &message.video_note {
        files.push(IncomingFile {
            file_id: v.file_id.clone(),
            unique_id: v.file_unique_id.clone(),
            kind: FileKind::VideoNote,
            name: made_name("video-note", &v.file_unique_id, "mp4"),
            mime_type: Some("video/mp4".into()),
            size: v.file_size,
        });
    }
    for file in &mut files {
        file.name = kept_name(std::mem::take(&mut file.name));
    }
    files
}

/// The `sendMessage` parameters of a text reply.
pub fn send_message_params(chat_id: i64, text: &str, keyboard: &Keyboard) -> SendMessageParams {
    let markup = match keyboard {
        Keyboard::Keep => None,
        Keyboard::SharePhone => {
            Some(ReplyMarkup::ReplyKeyboardMarkup(reply_keyboard(vec![vec![KeyboardButton::builder()
                .text(crate::texts::BTN_SHARE_PHONE)
                .request_contact(true)
                .build()]])))
        }
        Keyboard::Menu(labels) => Some(ReplyMarkup::ReplyKeyboardMarkup(reply_keyboard(
            labels.iter().map(|label| vec![KeyboardButton::builder().text(*label).build()]).collect(),
        ))),
        Keyboard::Inline(rows) => Some(ReplyMarkup::InlineKeyboardMarkup(
            InlineKeyboardMarkup::builder().inline_keyboard(inline_rows(rows)).build(),
        )),
        Keyboard::Remove => {
            Some(ReplyMarkup::ReplyKeyboardRemove(ReplyKeyboardRemove::builder().remove_keyboard(true).build()))
        }
    };
    SendMessageParams::builder().chat_id(chat_id).text(text).maybe_reply_markup(markup).build()
}

fn reply_keyboard(rows: Vec<Vec<KeyboardButton>>) -> ReplyKeyboardMarkup {
    ReplyKeyboardMarkup::builder().keyboard(rows).resize_keyboard(true).is_persistent(true).build()
}

fn inline_rows(rows: &[Vec<InlineButton>]) -> Vec<Vec<InlineKeyboardButton>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|button| {
                    InlineKeyboardButton::builder()
                        .text(button.label.clone())
                        .callback_data(button.press.encode())
                        .build()
                })
                .collect()
        })
        .collect()
}

/// A reply as a Bot API method call `{"method": ..., ...params}`: the form a webhook may return
/// as its HTTP response so that Telegram carries it out without another request.
pub fn method_call(chat_id: i64, reply: &Reply) -> Value {
    let (method, params) = match reply {
        Reply::Text { text, keyboard } => {
            ("sendMessage", serde_json::to_value(send_message_params(chat_id, text, keyboard)))
        }
        Reply::AnswerPress { press_id, text } => {
            ("answerCallbackQuery", serde_json::to_value(answer_params(press_id, text)))
        }
        Reply::Notice { html, url } => {
            ("sendMessage", serde_json::to_value(notice_params(chat_id, html, url.as_deref())))
        }
    };
    // Serialising these plain structs cannot fail; an empty object would be refused by Telegram.
    let mut value = params.unwrap_or_else(|_| Value::Object(Default::default()));
    if let Value::Object(map) = &mut value {
        map.insert("method".into(), Value::String(method.into()));
    }
    value
}

/// A notification: HTML parse mode, a URL button for `https` links.
pub fn notice_params(chat_id: i64, html: &str, url: Option<&str>) -> SendMessageParams {
    let button = url.filter(|u| u.starts_with("https://")).map(|url| {
        ReplyMarkup::InlineKeyboardMarkup(
            InlineKeyboardMarkup::builder()
                .inline_keyboard(vec![vec![InlineKeyboardButton::builder()
                    .text(crate::texts::BTN_OPEN_TICKET)
                    .url(url)
                    .build()]])
                .build(),
        )
    });
    SendMessageParams::builder()
        .chat_id(chat_id)
        .text(html)
        .parse_mode(frankenstein::ParseMode::Html)
        .maybe_reply_markup(button)
        .build()
}

fn answer_params(press_id: &str, text: &Option<String>) -> AnswerCallbackQueryParams {
    AnswerCallbackQueryParams::builder().callback_query_id(press_id).maybe_text(text.clone()).build()
}

/// How long a call to Telegram may take, so that a silent Telegram cannot hold an invocation:
/// each request gives up after these, and the caller sees a timeout like any other failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// To open a connection.
    pub connect: Duration,
    /// A whole Bot API call (`sendMessage`, `getFile`, `setWebhook`, ...), and the longest pause
    /// between two reads of any answer, downloads included.
    pub call: Duration,
    /// A whole file download (up to [`MAX_DOWNLOAD_BYTES`]).
    pub download: Duration,
}

impl Default for Timeouts {
    /// For the functions (webhook and registrar time out after 30 s, the notifier after 60 s,
    /// template.yaml): a Bot API call takes well under a second, so after 5 s Telegram is in
    /// trouble and the caller hands the work back (the notifier's record, the webhook's
    /// update). A file (getFile, then up to 20 MB) takes at most 5 + 12 s: over half of the
    /// webhook's 30 s stays for S3, DynamoDB and the replies; a download that stalls for 5 s
    /// ends then.
    fn default() -> Self {
        Timeouts { connect: Duration::from_secs(3), call: Duration::from_secs(5), download: Duration::from_secs(12) }
    }
}

/// TLS for the Bot API with the root certificates compiled into the binary (Mozilla's, from
/// `webpki-roots`): building the client parses no certificate files, which the system's roots
/// (read from `/etc/ssl` and parsed one by one) cost at every cold start.
fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Sends through the Bot API. The token is only in the client's base URL, which frankenstein
/// strips from its errors, and in the download path; `Debug` shows neither.
#[derive(Clone)]
pub struct TelegramMessenger {
    bot: frankenstein::client_reqwest::Bot,
    api_url: String,
    /// In the path of file downloads; never logged, and cut out of any answer's text.
    token: Secret,
    timeouts: Timeouts,
}

impl TelegramMessenger {
    /// `api_url` is the Bot API base (`https://api.telegram.org` or a fake's address); the
    /// client has the [`Timeouts::default`]. Panics, as `reqwest::Client::new` does, when the
    /// TLS backend cannot be initialised; [`Self::with_timeouts`] returns that error instead.
    pub fn new(api_url: &str, token: &str) -> Self {
        match Self::with_timeouts(api_url, token, Timeouts::default()) {
            Ok(messenger) => messenger,
            Err(error) => panic!("the HTTP client for Telegram cannot be built: {error}"),
        }
    }

    /// A messenger whose every request gives up after `timeouts`.
    pub fn with_timeouts(api_url: &str, token: &str, timeouts: Timeouts) -> Result<Self, reqwest::Error> {
        let api_url = api_url.trim_end_matches('/').to_owned();
        let builder = reqwest::Client::builder()
            .connect_timeout(timeouts.connect)
            .timeout(timeouts.call)
            .read_timeout(timeouts.call);
        let client = match tls_config() {
            Ok(tls) => builder.tls_backend_preconfigured(tls),
            Err(error) => {
                tracing::warn!(%error, "the built-in TLS roots could not be set up; the system's are loaded");
                builder
            }
        }
        .build()?;
        Ok(TelegramMessenger {
            bot: frankenstein::client_reqwest::Bot::builder()
                .api_url(format!("{api_url}/bot{token}"))
                .client(client)
                .build(),
            api_url,
            token: Secret::new(token),
            timeouts,
        })
    }

    pub fn bot(&self) -> &frankenstein::client_reqwest::Bot {
        &self.bot
    }

    pub fn timeouts(&self) -> Timeouts {
        self.timeouts
    }

    /// The failure with the token cut out of the texts it carries: whatever answers at a wrong
    /// URL may echo the request's path (`Cannot POST /bot<token>/sendMessage`).
    fn redacted(&self, error: SendError) -> SendError {
        let cut = |text: String| text.replace(self.token.expose(), "***");
        match error {
            SendError::Refused { status, description } => SendError::Refused { status, description: cut(description) },
            SendError::BadAnswer(text) => SendError::BadAnswer(cut(text)),
            other => other,
        }
    }
}

impl std::fmt::Debug for TelegramMessenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramMessenger").field("api_url", &self.api_url).field("token", &"***").finish()
    }
}

impl Messenger for TelegramMessenger {
    async fn send(&self, chat_id: i64, reply: &Reply) -> Result<(), SendError> {
        let result = match reply {
            Reply::Text { text, keyboard } => {
                self.bot.send_message(&send_message_params(chat_id, text, keyboard)).await.map(drop)
            }
            Reply::AnswerPress { press_id, text } => {
                self.bot.answer_callback_query(&answer_params(press_id, text)).await.map(drop)
            }
            Reply::Notice { html, url } => {
                self.bot.send_message(&notice_params(chat_id, html, url.as_deref())).await.map(drop)
            }
        };
        result.map_err(|error| self.redacted(classify(error)))
    }

    fn render(&self, chat_id: i64, reply: &Reply) -> String {
        method_call(chat_id, reply).to_string()
    }
}

impl FileSource for TelegramMessenger {
    /// `getFile`, then `GET {api}/file/bot<token>/<file_path>`.
    async fn download(&self, file_id: &str) -> Result<Vec<u8>, DownloadError> {
        let params = frankenstein::methods::GetFileParams::builder().file_id(file_id).build();
        let file = match self.bot.get_file(&params).await {
            Ok(response) => response.result,
            // "file is too big" is a 400 for files over the bots' download limit.
            Err(frankenstein::Error::Api(e)) if e.error_code == 400 && e.description.contains("too big") => {
                return Err(DownloadError::TooLarge);
            }
            // An invalid or expired `file_id`: asking again gets the same answer.
            Err(frankenstein::Error::Api(e)) if e.error_code == 400 => {
                return Err(DownloadError::Refused(e.description))
            }
            Err(error) => return Err(DownloadError::Unavailable(Box::new(error))),
        };
        let path = file.file_path.ok_or(DownloadError::TooLarge)?;
        let url = format!("{}/file/bot{}/{path}", self.api_url, self.token.expose());
        let response = self
            .bot
            .client
            .get(url)
            .timeout(self.timeouts.download)
            .send()
            .await
            .map_err(|e| DownloadError::Unavailable(Box::new(e.without_url())))?;
        let status = response.status();
        if status.is_client_error() {
            return Err(DownloadError::Refused(format!("file download answered {status}")));
        }
        if !status.is_success() {
            return Err(DownloadError::Unavailable(format!("file download answered {status}").into()));
        }
        // The file is read into one buffer of the size announced (by the response, else by
        // getFile), so that it is held once: collecting the body and copying it out held it
        // twice, and a buffer grown by doubling holds up to twice its content while it moves.
        let announced = response.content_length().or(file.file_size).unwrap_or(0);
        if announced > MAX_DOWNLOAD_BYTES {
            return Err(DownloadError::TooLarge);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
        let mut response = response;
        while let Some(chunk) =
            response.chunk().await.map_err(|e| DownloadError::Unavailable(Box::new(e.without_url())))?
        {
            if (bytes.len() + chunk.len()) as u64 > MAX_DOWNLOAD_BYTES {
                return Err(DownloadError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// Sorts Bot API failures by what a caller should do about them. Only 403 and 400 "chat not
/// found" are final; everything else may pass (see [`SendError`]).
pub fn classify(error: frankenstein::Error) -> SendError {
    match error {
        frankenstein::Error::Api(response) => match response.error_code {
            403 => SendError::Blocked,
            400 if response.description.contains("chat not found") => SendError::ChatNotFound,
            429 => SendError::RetryAfter(response.parameters.and_then(|p| p.retry_after).map_or(1, u32::from)),
            status => SendError::Refused {
                status: u16::try_from(status).unwrap_or(u16::MAX),
                description: response.description,
            },
        },
        frankenstein::Error::HttpReqwest(error) if error.is_timeout() => SendError::TimedOut,
        frankenstein::Error::HttpReqwest(error) => SendError::Unavailable(Box::new(error)),
        // Not JSON, or JSON of another shape: its text may be a whole page; a line is enough.
        frankenstein::Error::JsonDecode { input, .. } => {
            SendError::BadAnswer(input.chars().take(200).collect::<String>().replace('\n', " "))
        }
        other => SendError::Unavailable(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialogue::Press;
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
        assert_eq!(event_of(&message(json!({"text": "/start"}))), Event::Start);
        assert_eq!(event_of(&message(json!({"text": "/start ref-1"}))), Event::Start);
        assert_eq!(
            event_of(&message(json!({"text": "Принтер не печатает"}))),
            Event::Message(Content {
                text: Some("Принтер не печатает".into()),
                // The message's `date`: a message sent long after a waiting one starts over.
                sent_at: chrono::DateTime::from_timestamp(1_700_000_000, 0),
                ..Content::default()
            })
        );
        let contact = json!({"contact": {"phone_number": "79123456789", "first_name": "Анна", "user_id": 42}});
        assert_eq!(event_of(&message(contact)), Event::Contact { phone: "79123456789".into(), owner: Some(42) });
    }

    #[test]
    fn a_sticker_is_unsupported_not_an_error() {
        let sticker = json!({"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1, "is_animated": false, "is_video": false}});
        assert_eq!(event_of(&message(sticker)), Event::Unsupported(Unsupported::Sticker));
        assert_eq!(crate::texts::unsupported_kind(Unsupported::Sticker), "стикер");
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
    fn group_messages_are_ignored() {
        let body = serde_json::to_vec(&json!({"update_id": 11, "message": {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "group", "title": "g"}, "from": {"id": 5, "is_bot": false, "first_name": "x"}, "text": "/start"}})).unwrap();
        assert!(matches!(parse_update(&body), Parsed::Ignored { .. }));
    }

    fn api_error(code: u64, description: &str, retry_after: Option<u16>) -> frankenstein::Error {
        frankenstein::Error::Api(frankenstein::response::ErrorResponse {
            ok: false,
            description: description.into(),
            error_code: code,
            parameters: retry_after.map(|seconds| frankenstein::response::ResponseParameters {
                migrate_to_chat_id: None,
                retry_after: Some(seconds),
            }),
        })
    }

    #[test]
    fn only_a_block_and_a_lost_chat_are_final() {
        let final_ones = [
            classify(api_error(403, "Forbidden: bot was blocked by the user", None)),
            classify(api_error(400, "Bad Request: chat not found", None)),
        ];
        assert!(matches!(final_ones, [SendError::Blocked, SendError::ChatNotFound]), "{final_ones:?}");
        assert!(final_ones.iter().all(SendError::is_final));
        for (code, description) in [
            (401, "Unauthorized"),
            (404, "Not Found"),
            (400, "Bad Request: can't parse entities"),
            (409, "Conflict: terminated by other getUpdates request"),
            (500, "Internal Server Error"),
            (502, "Bad Gateway"),
        ] {
            let error = classify(api_error(code, description, None));
            assert!(
                matches!(&error, SendError::Refused { status, description: d } if u64::from(*status) == code && d == description),
                "{code}: {error:?}"
            );
            assert!(!error.is_final(), "{code} may pass");
        }
        assert!(matches!(classify(api_error(429, "Too Many Requests", Some(35))), SendError::RetryAfter(35)));
        assert!(matches!(classify(api_error(429, "Too Many Requests", None)), SendError::RetryAfter(1)));
    }

    #[test]
    fn an_answer_that_is_not_the_bot_apis_is_a_bad_answer_without_the_token() {
        let page = "<html><body>Cannot POST /bot123:SECRET-token/sendMessage</body></html>".repeat(10);
        let source = serde_json::from_str::<Value>(&page).unwrap_err();
        let error = classify(frankenstein::Error::JsonDecode { source, input: page });
        assert!(matches!(&error, SendError::BadAnswer(text) if text.chars().count() == 200), "{error:?}");
        assert!(!error.is_final());
        let messenger = TelegramMessenger::new("http://127.0.0.1:9", "123:SECRET-token");
        let redacted = messenger.redacted(error).to_string();
        assert!(!redacted.contains("SECRET") && redacted.contains("/bot***/sendMessage"), "{redacted}");
        assert!(!format!("{messenger:?}").contains("SECRET"));
    }

    #[test]
    fn a_reply_becomes_a_webhook_method_call() {
        let reply = Reply::Text { text: "Привет".into(), keyboard: Keyboard::SharePhone };
        let call = method_call(42, &reply);
        assert_eq!(call["method"], "sendMessage");
        assert_eq!(call["chat_id"], 42);
        assert_eq!(call["reply_markup"]["keyboard"][0][0]["request_contact"], true);
        let choice = vec![vec![InlineButton::new("Ромашка", Press::ChooseCompany("c1".into()))]];
        let inline = method_call(42, &Reply::Text { text: "?".into(), keyboard: Keyboard::Inline(choice) });
        assert_eq!(inline["reply_markup"]["inline_keyboard"][0][0]["callback_data"], "co:c1");
        let answer = method_call(42, &Reply::AnswerPress { press_id: "q".into(), text: None });
        assert_eq!(answer["method"], "answerCallbackQuery");
        assert_eq!(answer["callback_query_id"], "q");
    }
}
