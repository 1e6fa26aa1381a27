//! Update JSON as Telegram sends it (the kinds `tests/src/updates.rs` builds, and the kinds
//! the bot ignores), and the mutations the parsing properties apply to it: dropped and renamed
//! fields, values of another type, huge and odd strings, extreme numbers, unknown update and
//! message kinds, corrupted bytes.

use crate::inputs::{huge_text, odd_text, one_of};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::{json, Value};

pub const FROM: u64 = 42;

fn user(id: u64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Анна", "language_code": "ru"})
}

fn message(update_id: u64, content: Value) -> Value {
    let mut message = json!({
        "message_id": update_id,
        "date": 1_764_000_000,
        "chat": {"id": FROM, "type": "private", "first_name": "Анна"},
        "from": user(FROM),
    });
    message.as_object_mut().expect("object").extend(content.as_object().expect("object").clone());
    json!({"update_id": update_id, "message": message})
}

fn member_update(update_id: u64, old: &str, new: &str) -> Value {
    let bot = json!({"id": 1, "is_bot": true, "first_name": "Desk"});
    json!({"update_id": update_id, "my_chat_member": {
        "chat": {"id": FROM, "type": "private", "first_name": "Анна"},
        "from": user(FROM),
        "date": 1_764_000_000,
        "old_chat_member": {"status": old, "user": bot, "until_date": 0},
        "new_chat_member": {"status": new, "user": bot, "until_date": 0}
    }})
}

/// What an update should parse to, by its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Start,
    Contact,
    Message,
    Press,
    Unsupported,
    BlockedBot,
    /// `/menu`, `/help`, `/company`, or one the bot does not have.
    Command,
    /// A correction of a message of the user's.
    Edited,
    Ignored,
    Incomplete,
}

/// One update of every kind the bot meets, each with what it parses to.
pub fn corpus() -> Vec<(Value, Expected)> {
    let photo = json!({
        "photo": [
            {"file_id": "p-small", "file_unique_id": "pu-small", "width": 90, "height": 60, "file_size": 900},
            {"file_id": "p", "file_unique_id": "pu", "width": 1280, "height": 853, "file_size": 120_000}
        ],
        "caption": "Ошибка на экране",
        "media_group_id": "13578912345678901"
    });
    let document = json!({
        "document": {"file_id": "d", "file_unique_id": "du", "file_name": "Счёт за март.pdf", "mime_type": "application/pdf", "file_size": 52_000},
        "caption": "Акт"
    });
    let voice = json!({"voice": {"file_id": "v", "file_unique_id": "vu", "duration": 3, "mime_type": "audio/ogg", "file_size": 7000}});
    let sticker = json!({"sticker": {"file_id": "s", "file_unique_id": "su", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍"}});
    let contact = json!({"contact": {"phone_number": "79123456789", "first_name": "Анна", "user_id": FROM}});
    let location = json!({"location": {"latitude": 55.75, "longitude": 37.61}});
    vec![
        (message(1, json!({"text": "Не работает принтер"})), Expected::Message),
        (
            message(2, json!({"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]})),
            Expected::Start,
        ),
        (message(3, contact), Expected::Contact),
        (message(4, photo), Expected::Message),
        (message(5, document), Expected::Message),
        (message(6, voice), Expected::Message),
        (message(7, sticker), Expected::Unsupported),
        (message(8, location), Expected::Message),
        (
            json!({"update_id": 9, "callback_query": {
                "id": "cb-9", "from": user(FROM), "chat_instance": "ci-1", "data": "st:1",
                "message": {"message_id": 1, "date": 1_764_000_000, "chat": {"id": FROM, "type": "private"}, "text": "…"}
            }}),
            Expected::Press,
        ),
        (member_update(10, "member", "kicked"), Expected::BlockedBot),
        (member_update(11, "kicked", "member"), Expected::BlockedBot),
        (
            json!({"update_id": 12, "edited_message": {"message_id": 1, "date": 1, "chat": {"id": FROM, "type": "private"}, "text": "x"}}),
            Expected::Ignored,
        ),
        (
            json!({"update_id": 40, "edited_message": {"message_id": 1, "date": 1, "edit_date": 2, "chat": {"id": FROM, "type": "private"}, "from": user(FROM), "text": "x"}}),
            Expected::Edited,
        ),
        (
            json!({"update_id": 13, "message": {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "group", "title": "g"}, "from": user(FROM), "text": "/start"}}),
            Expected::Ignored,
        ),
        (json!({"update_id": 14, "message_reaction_count": {"x": 1}}), Expected::Ignored),
        (message(15, json!({"text": "/help"})), Expected::Command),
        (message(16, json!({"text": "/settings"})), Expected::Command),
        // The shape of Telegram's webhook-guide samples: no `is_bot`, no chat `type`.
        (
            json!({"update_id": 17, "message": {"date": 1_441_645_532, "message_id": 1365,
                "chat": {"id": FROM, "first_name": "Test", "last_name": "Test Lastname", "username": "Test"},
                "from": {"id": FROM, "first_name": "Test", "last_name": "Test Lastname", "username": "Test"},
                "text": "/start"}}),
            Expected::Start,
        ),
        (
            json!({"update_id": 18, "message": {"message_id": 1, "date": 1, "chat": {"id": FROM}, "text": "x"}}),
            Expected::Incomplete,
        ),
        (
            message(19, json!({"pinned_message": {"message_id": 1, "date": 1, "chat": {"id": FROM}}})),
            Expected::Incomplete,
        ),
    ]
}

/// A JSON number at an edge: the extremes of every integer type Telegram's fields use, past
/// them, negative, fractional, huge.
pub fn odd_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(vec![
            json!(0),
            json!(-1),
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(u32::MAX),
            json!(u64::from(u32::MAX) + 1),
            json!(i32::MAX),
            json!(65_536),
            json!(i64::from(i32::MIN) - 1),
            json!(9_007_199_254_740_993u64),
            json!(-0.5),
            json!(1e308),
            json!(-1e308),
        ]),
        any::<u32>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
    ]
}

pub fn odd_string() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => one_of(&["", "private", "group", "kicked", "member", "/start", "/help", "/company", "79123456789", "co:c1", "st:1", "na:att"]),
        3 => odd_text(),
        1 => any::<String>(),
        1 => huge_text(),
    ]
}

/// Field names: the ones Telegram's updates use (so that a field turns up where it does not
/// belong), update and message kinds this code does not know, and anything.
pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => one_of(&[
            "update_id", "message", "callback_query", "my_chat_member", "edited_message", "text", "caption",
            "photo", "document", "voice", "video", "audio", "video_note", "sticker", "contact", "location",
            "media_group_id", "from", "chat", "id", "type", "data", "file_id", "file_unique_id", "file_size",
            "file_name", "mime_type", "width", "height", "status", "new_chat_member", "user_id", "phone_number",
        ]),
        2 => one_of(&[
            "business_message", "message_reaction", "purchased_paid_media", "story", "paid_media", "giveaway",
            "checklist", "chat_boost", "web_app_data", "some_future_update",
        ]),
        1 => odd_text(),
    ]
}

/// A JSON value of any shape, a few levels deep.
pub fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        odd_number(),
        odd_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4).prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// A change to one node of an update (nodes counted in document order, the root first).
#[derive(Debug, Clone)]
pub enum Mutation {
    /// Removes one field of an object or item of an array; any other node becomes null.
    Drop(Index, Index),
    /// Puts another value, of any type, in the node's place.
    Replace(Index, Value),
    /// Adds a field to an object (an unknown update or message kind, a known field out of place).
    Add(Index, String, Value),
    /// Moves a field of an object to another name (`message` becomes `business_message`).
    Rename(Index, Index, String),
    /// Puts an edge value of the same type in the place of a number or string (counted among
    /// those alone): a width of `u32::MAX`, a caption of 100 KB.
    Twist(Index, Value, String),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<Index>(), any::<Index>()).prop_map(|(node, field)| Mutation::Drop(node, field)),
        4 => (any::<Index>(), json_value()).prop_map(|(node, value)| Mutation::Replace(node, value)),
        1 => (any::<Index>(), key(), json_value()).prop_map(|(node, key, value)| Mutation::Add(node, key, value)),
        1 => (any::<Index>(), any::<Index>(), key()).prop_map(|(node, field, key)| Mutation::Rename(node, field, key)),
        4 => (any::<Index>(), odd_number(), odd_string())
            .prop_map(|(leaf, number, text)| Mutation::Twist(leaf, number, text)),
    ]
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Object(map) => map.values().map(count_nodes).sum(),
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The `n`th node in document order.
fn node_mut(value: &mut Value, n: usize) -> Option<&mut Value> {
    fn walk<'a>(value: &'a mut Value, left: &mut usize) -> Option<&'a mut Value> {
        if *left == 0 {
            return Some(value);
        }
        *left -= 1;
        match value {
            Value::Object(map) => map.values_mut().find_map(|v| walk(v, left)),
            Value::Array(items) => items.iter_mut().find_map(|v| walk(v, left)),
            _ => None,
        }
    }
    walk(value, &mut { n })
}

/// The numbers and strings of a document, in document order.
fn scalars_mut(value: &mut Value) -> Vec<&mut Value> {
    match value {
        Value::Object(map) => map.values_mut().flat_map(scalars_mut).collect(),
        Value::Array(items) => items.iter_mut().flat_map(scalars_mut).collect(),
        Value::Number(_) | Value::String(_) => vec![value],
        Value::Null | Value::Bool(_) => vec![],
    }
}

impl Mutation {
    pub fn apply(&self, update: &mut Value) {
        if let Mutation::Twist(leaf, number, text) = self {
            let mut scalars = scalars_mut(update);
            if !scalars.is_empty() {
                let at = leaf.index(scalars.len());
                let target = &mut scalars[at];
                **target = if target.is_number() { number.clone() } else { Value::String(text.clone()) };
            }
            return;
        }
        let nodes = count_nodes(update);
        let (Mutation::Drop(node, _)
        | Mutation::Replace(node, _)
        | Mutation::Add(node, ..)
        | Mutation::Rename(node, ..)
        | Mutation::Twist(node, ..)) = self;
        let Some(target) = node_mut(update, node.index(nodes)) else { return };
        match (self, target) {
            (Mutation::Drop(_, field), Value::Object(map)) if !map.is_empty() => {
                let key = map.keys().nth(field.index(map.len())).cloned().expect("a key");
                map.remove(&key);
            }
            (Mutation::Drop(_, item), Value::Array(items)) if !items.is_empty() => {
                items.remove(item.index(items.len()));
            }
            (Mutation::Drop(..), target) => *target = Value::Null,
            (Mutation::Replace(_, value), target) => *target = value.clone(),
            (Mutation::Add(_, key, value), Value::Object(map)) => {
                map.insert(key.clone(), value.clone());
            }
            (Mutation::Add(_, _, value), target) => *target = value.clone(),
            (Mutation::Rename(_, field, key), Value::Object(map)) if !map.is_empty() => {
                let old = map.keys().nth(field.index(map.len())).cloned().expect("a key");
                let value = map.remove(&old).expect("the field");
                map.insert(key.clone(), value);
            }
            (Mutation::Rename(..) | Mutation::Twist(..), _) => {}
        }
    }
}

/// A realistic update with a few mutations applied.
pub fn mutated_update() -> impl Strategy<Value = Value> {
    (select(corpus()), prop::collection::vec(mutation(), 1..5)).prop_map(|((mut update, _), mutations)| {
        for mutation in &mutations {
            mutation.apply(&mut update);
        }
        update
    })
}

/// A change to the bytes of a body: cut short, a byte overwritten, bytes inserted.
#[derive(Debug, Clone)]
pub enum Corruption {
    Truncate(Index),
    Overwrite(Index, u8),
    Insert(Index, Vec<u8>),
}

pub fn corruption() -> impl Strategy<Value = Corruption> {
    prop_oneof![
        any::<Index>().prop_map(Corruption::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| Corruption::Overwrite(at, byte)),
        (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(at, bytes)| Corruption::Insert(at, bytes)),
    ]
}

impl Corruption {
    pub fn apply(&self, body: &mut Vec<u8>) {
        match self {
            Corruption::Truncate(at) => body.truncate(at.index(body.len() + 1)),
            Corruption::Overwrite(at, byte) if !body.is_empty() => {
                let at = at.index(body.len());
                body[at] = *byte;
            }
            Corruption::Overwrite(..) => {}
            Corruption::Insert(at, bytes) => {
                let at = at.index(body.len() + 1);
                body.splice(at..at, bytes.iter().copied());
            }
        }
    }
}
