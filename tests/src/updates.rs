//! Telegram updates as Telegram sends them, for tests and sample events.

use serde_json::{json, Value};

fn user(id: u64) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Анна", "language_code": "ru"})
}

fn message(update_id: u64, from: u64, content: Value) -> Value {
    let mut message = json!({
        "message_id": update_id as i64,
        "date": 1_764_000_000,
        "chat": {"id": from, "type": "private", "first_name": "Анна"},
        "from": user(from),
    });
    message.as_object_mut().expect("object").extend(content.as_object().expect("object").clone());
    json!({"update_id": update_id, "message": message})
}

pub fn start(update_id: u64, from: u64) -> Value {
    message(update_id, from, json!({"text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}))
}

pub fn text(update_id: u64, from: u64, text: &str) -> Value {
    message(update_id, from, json!({"text": text}))
}

/// A location (`venue`: with the place's title and address, as Telegram sends a venue).
pub fn location(update_id: u64, from: u64, (latitude, longitude): (f64, f64), venue: Option<(&str, &str)>) -> Value {
    let point = json!({"latitude": latitude, "longitude": longitude});
    match venue {
        None => message(update_id, from, json!({"location": point})),
        Some((title, address)) => message(
            update_id,
            from,
            json!({"location": point, "venue": {"location": point, "title": title, "address": address}}),
        ),
    }
}

/// A GIF as Telegram sends one: `animation`, and `document` for older clients.
pub fn gif(update_id: u64, from: u64, file_id: &str, caption: Option<&str>) -> Value {
    let file = json!({"file_id": file_id, "file_unique_id": format!("{file_id}-u"), "file_name": "blink.mp4", "mime_type": "video/mp4", "file_size": 4096});
    let mut content = json!({"animation": file, "document": file});
    if let Some(caption) = caption {
        content["caption"] = json!(caption);
    }
    message(update_id, from, content)
}

/// A shared contact card; `owner` is the `user_id` Telegram puts on it (None for a card
/// typed in by hand).
pub fn contact(update_id: u64, from: u64, phone: &str, owner: Option<u64>) -> Value {
    let mut card = json!({"phone_number": phone, "first_name": "Анна"});
    if let Some(owner) = owner {
        card["user_id"] = json!(owner);
    }
    message(update_id, from, json!({"contact": card}))
}

pub fn sticker(update_id: u64, from: u64) -> Value {
    message(
        update_id,
        from,
        json!({"sticker": {"file_id": "CAACAgI", "file_unique_id": "AgAD", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍"}}),
    )
}

/// An inline-button press on message `message_id` the bot sent to `from`.
pub fn press_on(update_id: u64, from: u64, data: &str, message_id: i64) -> Value {
    let mut update = callback(update_id, from, data);
    update["callback_query"]["message"]["message_id"] = json!(message_id);
    update
}

/// An inline-button press on a message the bot sent to `from`.
pub fn callback(update_id: u64, from: u64, data: &str) -> Value {
    json!({
        "update_id": update_id,
        "callback_query": {
            "id": format!("cb-{update_id}"),
            "from": user(from),
            "chat_instance": "ci-1",
            "data": data,
            "message": {"message_id": 1, "date": 1_764_000_000, "chat": {"id": from, "type": "private"}, "text": "…"}
        }
    })
}

/// A photo message: Telegram sends several sizes; the largest is the real one.
pub fn photo(update_id: u64, from: u64, file_id: &str, size: u64, caption: Option<&str>, album: Option<&str>) -> Value {
    let mut content = json!({"photo": [
        {"file_id": format!("{file_id}-small"), "file_unique_id": format!("{file_id}-u-small"), "width": 90, "height": 60, "file_size": 900},
        {"file_id": file_id, "file_unique_id": format!("{file_id}-u"), "width": 1280, "height": 853, "file_size": size}
    ]});
    if let Some(caption) = caption {
        content["caption"] = json!(caption);
    }
    if let Some(album) = album {
        content["media_group_id"] = json!(album);
    }
    message(update_id, from, content)
}

pub fn document(
    update_id: u64,
    from: u64,
    file_id: &str,
    name: &str,
    mime: &str,
    size: u64,
    caption: Option<&str>,
) -> Value {
    let mut content = json!({"document": {"file_id": file_id, "file_unique_id": format!("{file_id}-u"), "file_name": name, "mime_type": mime, "file_size": size}});
    if let Some(caption) = caption {
        content["caption"] = json!(caption);
    }
    message(update_id, from, content)
}

/// A text replying to the bot's message `to_message`, which Telegram quotes (`quoted`: its text).
pub fn reply(update_id: u64, from: u64, text: &str, to_message: i64, quoted: &str) -> Value {
    let replied = json!({
        "message_id": to_message,
        "date": 1_764_000_000,
        "chat": {"id": from, "type": "private"},
        "from": {"id": 1, "is_bot": true, "first_name": "Service desk bot"},
        "text": quoted,
    });
    message(update_id, from, json!({"text": text, "reply_to_message": replied}))
}

/// `from` edits their message `message_id` (first sent at `sent`, Unix seconds) to read `text`.
pub fn edit(update_id: u64, from: u64, message_id: i64, text: &str, sent: i64) -> Value {
    json!({
        "update_id": update_id,
        "edited_message": {
            "message_id": message_id,
            "date": sent,
            "edit_date": chrono::Utc::now().timestamp(),
            "chat": {"id": from, "type": "private", "first_name": "Анна"},
            "from": user(from),
            "text": text,
        }
    })
}

/// The same update from a user whose Telegram app speaks `code` (`None`: an update without a
/// `language_code`, as some clients send).
pub fn in_language(mut update: Value, code: Option<&str>) -> Value {
    for kind in ["message", "edited_message", "callback_query", "my_chat_member"] {
        if let Some(from) = update.get_mut(kind).and_then(|u| u.get_mut("from")).and_then(Value::as_object_mut) {
            match code {
                Some(code) => from.insert("language_code".into(), json!(code)),
                None => from.remove("language_code"),
            };
        }
    }
    update
}
