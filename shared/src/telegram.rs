//! Telegram Bot API adapter: updates in, messages out (frankenstein's `client_reqwest::Bot`).

use crate::dialogue::{Event, Inbound, InlineButton, Keyboard, Reply};
use crate::ports::{Messenger, SendError};
use frankenstein::methods::{AnswerCallbackQueryParams, SendMessageParams};
use frankenstein::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, MaybeInaccessibleMessage, Message, ReplyKeyboardMarkup,
    ReplyKeyboardRemove, ReplyMarkup,
};
use frankenstein::updates::{Update, UpdateContent};
use frankenstein::AsyncTelegramApi;
use serde_json::Value;

/// The update kinds the bot uses: the webhook is registered with these `allowed_updates`.
pub const ALLOWED_UPDATES: [&str; 3] = ["message", "callback_query", "my_chat_member"];

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
                event: Event::Callback { id: query.id.clone(), data },
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
        return Event::Text(text.clone());
    }
    let kind = if message.sticker.is_some() {
        "стикер"
    } else if message.location.is_some() || message.venue.is_some() {
        "геопозиция"
    } else if message.poll.is_some() {
        "опрос"
    } else if message.photo.is_some() || message.document.is_some() {
        "файл"
    } else if message.voice.is_some()
        || message.audio.is_some()
        || message.video.is_some()
        || message.video_note.is_some()
    {
        "медиафайл"
    } else {
        "сообщение этого типа"
    };
    Event::Unsupported(kind.to_owned())
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
                        .callback_data(button.data.clone())
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
        Reply::AnswerCallback { callback_id, text } => {
            ("answerCallbackQuery", serde_json::to_value(answer_params(callback_id, text)))
        }
    };
    // Serialising these plain structs cannot fail; an empty object would be refused by Telegram.
    let mut value = params.unwrap_or_else(|_| Value::Object(Default::default()));
    if let Value::Object(map) = &mut value {
        map.insert("method".into(), Value::String(method.into()));
    }
    value
}

fn answer_params(callback_id: &str, text: &Option<String>) -> AnswerCallbackQueryParams {
    AnswerCallbackQueryParams::builder().callback_query_id(callback_id).maybe_text(text.clone()).build()
}

/// Sends through the Bot API. The token is only in the client's base URL, which frankenstein
/// strips from its errors.
#[derive(Clone, Debug)]
pub struct TelegramMessenger {
    bot: frankenstein::client_reqwest::Bot,
}

impl TelegramMessenger {
    /// `api_url` is the Bot API base (`https://api.telegram.org` or a fake's address).
    pub fn new(api_url: &str, token: &str) -> Self {
        TelegramMessenger {
            bot: frankenstein::client_reqwest::Bot::new_url(format!("{}/bot{token}", api_url.trim_end_matches('/'))),
        }
    }

    pub fn bot(&self) -> &frankenstein::client_reqwest::Bot {
        &self.bot
    }
}

impl Messenger for TelegramMessenger {
    async fn send(&self, chat_id: i64, reply: &Reply) -> Result<(), SendError> {
        let result = match reply {
            Reply::Text { text, keyboard } => {
                self.bot.send_message(&send_message_params(chat_id, text, keyboard)).await.map(drop)
            }
            Reply::AnswerCallback { callback_id, text } => {
                self.bot.answer_callback_query(&answer_params(callback_id, text)).await.map(drop)
            }
        };
        result.map_err(classify)
    }
}

/// Sorts Bot API failures by what a caller should do about them.
pub fn classify(error: frankenstein::Error) -> SendError {
    match error {
        frankenstein::Error::Api(response) => match response.error_code {
            403 => SendError::Blocked,
            429 => SendError::RetryAfter(response.parameters.and_then(|p| p.retry_after).map_or(1, u32::from)),
            400..=499 => SendError::Refused(response.description),
            _ => SendError::Unavailable(response.description.into()),
        },
        other => SendError::Unavailable(Box::new(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
            Event::Text("Принтер не печатает".into())
        );
        let contact = json!({"contact": {"phone_number": "79123456789", "first_name": "Анна", "user_id": 42}});
        assert_eq!(event_of(&message(contact)), Event::Contact { phone: "79123456789".into(), owner: Some(42) });
    }

    #[test]
    fn a_sticker_is_unsupported_not_an_error() {
        let sticker = json!({"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1, "is_animated": false, "is_video": false}});
        assert_eq!(event_of(&message(sticker)), Event::Unsupported("стикер".into()));
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

    #[test]
    fn a_reply_becomes_a_webhook_method_call() {
        let reply = Reply::Text { text: "Привет".into(), keyboard: Keyboard::SharePhone };
        let call = method_call(42, &reply);
        assert_eq!(call["method"], "sendMessage");
        assert_eq!(call["chat_id"], 42);
        assert_eq!(call["reply_markup"]["keyboard"][0][0]["request_contact"], true);
        let answer = method_call(42, &Reply::AnswerCallback { callback_id: "q".into(), text: None });
        assert_eq!(answer["method"], "answerCallbackQuery");
        assert_eq!(answer["callback_query_id"], "q");
    }
}
