//! The chat simulator of `make run`: what you type becomes Telegram updates from one user, and
//! what the bot sends is drawn the way a Telegram client shows it.
//!
//! Input: plain text and the bot's commands (every one of `shared::dialogue::Command::ALL`);
//! `/contact <phone>` shares your own phone; `/photo <path>` and `/file <path>` send a file (a
//! caption may follow the path); a button's number or exact label presses it; `/reply <n> <text>`
//! answers the bot's message marked `↩n` with a Telegram reply; `/edit <text>` edits your last
//! message to read `<text>`; `?` shows this.
//!
//! A message that changes the reply keyboard (a notification after staff changed a ticket,
//! say) is drawn with a line saying so, then the keyboard as it is now.

use crate::fake_telegram::{Call, FakeTelegram};
use serde_json::{json, Value};

pub const USER_ID: u64 = 100_500;

/// A button currently on screen.
#[derive(Debug, Clone, PartialEq)]
enum Button {
    /// Reply keyboard: pressing sends its label as text.
    Reply(String),
    /// Inline: pressing sends its callback data.
    Inline { label: String, data: String },
}

pub struct Simulator {
    next_update_id: u64,
    next_file: u64,
    inline: Vec<Button>,
    reply: Vec<Button>,
    /// The bot's messages shown, `↩n` being the n-th: their ids and text, as a reply quotes them.
    shown: Vec<(i64, String)>,
    /// Your last message: its id and when it was sent (`/edit` edits it).
    last_sent: Option<(u64, i64)>,
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator { next_update_id: 1, next_file: 1, inline: vec![], reply: vec![], shown: vec![], last_sent: None }
    }
}

pub const HELP: &str =
    "Type as a client would (the bot's commands too: /start, /menu, /help, /company, /language, /unlink). \
Simulator commands: /contact <phone>, /photo <path> [caption], /file <path> [caption], a button's number \
or label to press it, /reply <n> <text> to reply to the bot's message marked ↩n, /edit <text> to edit your \
last message, ? for this help.";

/// What the simulator itself answers (the bot's `/help` goes to the bot).
pub const HELP_COMMAND: &str = "?";

impl Simulator {
    /// Turns a typed line into an update (files are registered with the fake Telegram).
    pub fn update_for(&mut self, line: &str, telegram: &FakeTelegram) -> Result<Value, String> {
        let line = line.trim();
        let update_id = self.next_update_id;
        let (command, rest) = line.split_once(' ').map_or((line, ""), |(c, r)| (c, r.trim()));
        let content = match command {
            "/contact" if !rest.is_empty() => {
                json!({"contact": {"phone_number": rest, "first_name": "Вы", "user_id": USER_ID}})
            }
            "/contact" => return Err("usage: /contact <phone>".into()),
            "/edit" => {
                let Some((message_id, sent)) = self.last_sent.filter(|_| !rest.is_empty()) else {
                    return Err("usage: /edit <text>, after you sent a message".into());
                };
                self.next_update_id += 1;
                let edited = json!({"message_id": message_id, "date": sent, "edit_date": now(), "chat": chat(), "from": user(), "text": rest});
                return Ok(json!({"update_id": update_id, "edited_message": edited}));
            }
            "/reply" => {
                let usage = || "usage: /reply <n> <text>, n as a bot's message is marked ↩n".to_owned();
                let (n, text) = rest.split_once(' ').ok_or_else(usage)?;
                let n: usize = n.parse().map_err(|_| usage())?;
                let (message_id, quoted) = n.checked_sub(1).and_then(|i| self.shown.get(i)).ok_or_else(usage)?;
                let bot = json!({"id": 1, "is_bot": true, "first_name": "Service desk bot"});
                json!({
                    "text": text.trim(),
                    "reply_to_message": {"message_id": message_id, "date": now(), "chat": chat(), "from": bot, "text": quoted}
                })
            }
            "/photo" | "/file" => {
                let (path, caption) = rest.split_once(' ').map_or((rest, ""), |(p, c)| (p, c.trim()));
                let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
                let file_id = format!("sim-file-{}", self.next_file);
                self.next_file += 1;
                let name = std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or("file").to_owned();
                let size = bytes.len();
                telegram.add_file(&file_id, &format!("files/{name}"), bytes);
                let mut content = if command == "/photo" {
                    json!({"photo": [{"file_id": file_id, "file_unique_id": format!("u-{file_id}"), "width": 1280, "height": 960, "file_size": size}]})
                } else {
                    json!({"document": {"file_id": file_id, "file_unique_id": format!("u-{file_id}"), "file_name": name, "mime_type": mime_of(&name), "file_size": size}})
                };
                if !caption.is_empty() {
                    content["caption"] = json!(caption);
                }
                content
            }
            _ => match self.pressed(line) {
                Some(Button::Inline { data, .. }) => {
                    self.next_update_id += 1;
                    return Ok(json!({
                        "update_id": update_id,
                        "callback_query": {
                            "id": format!("sim-cb-{update_id}"),
                            "from": user(),
                            "chat_instance": "simulator",
                            "data": data,
                            "message": {"message_id": 1, "date": now(), "chat": chat(), "text": ""}
                        }
                    }));
                }
                Some(Button::Reply(label)) if shared::texts::BTN_SHARE_PHONE.any().contains(&label.as_str()) => {
                    // Telegram would share the account's own number; here you type it.
                    return Err("Share your phone with /contact <phone>, e.g. /contact +7 900 123-45-67".into());
                }
                Some(Button::Reply(label)) => json!({"text": label}),
                None if line.is_empty() => return Err(HELP.into()),
                None => json!({"text": line}),
            },
        };
        self.next_update_id += 1;
        // Telegram lets its user edit texts and captions (not a shared contact).
        if content.get("text").or_else(|| content.get("caption")).is_some() {
            self.last_sent = Some((update_id, now()));
        }
        let mut message = json!({"message_id": update_id, "date": now(), "chat": chat(), "from": user()});
        message.as_object_mut().expect("object").extend(content.as_object().expect("object").clone());
        Ok(json!({"update_id": update_id, "message": message}))
    }

    /// The button a line presses: its number, or its exact label.
    fn pressed(&self, line: &str) -> Option<Button> {
        let all: Vec<&Button> = self.inline.iter().chain(&self.reply).collect();
        if let Ok(number) = line.parse::<usize>() {
            return number.checked_sub(1).and_then(|i| all.get(i)).map(|b| (*b).clone());
        }
        all.into_iter()
            .find(|b| match b {
                Button::Reply(label) | Button::Inline { label, .. } => label == line,
            })
            .cloned()
    }

    /// Draws a Bot API call the way a chat shows it; remembers the keyboards for presses.
    pub fn render(&mut self, call: &Call) -> Option<String> {
        if !call.delivered {
            return None;
        }
        let mut call = call.clone();
        if call.params["parse_mode"] == "HTML" {
            // Shown as a Telegram client would: formatting applied, entities decoded.
            let plain = call.text().map(as_plain_text).unwrap_or_default();
            call.params["text"] = json!(plain);
        }
        let call = &call;
        if call.method == "sendMessage" && call.chat_id() != Some(USER_ID as i64) {
            // Someone else's chat (a manager, an assignee): shown aside, keyboards untouched.
            let text = call.text().unwrap_or_default().replace('\n', "\n      ");
            return Some(format!("\n   📨 to chat {}: {text}\n", call.chat_id().unwrap_or_default()));
        }
        match call.method.as_str() {
            "sendMessage" => {
                let text = call.text().unwrap_or_default();
                let mark = match call.message_id {
                    Some(id) => {
                        self.shown.push((id, text.to_owned()));
                        format!("↩{} ", self.shown.len())
                    }
                    None => String::new(),
                };
                let mut out = format!("\n🤖 {mark}{}\n", text.replace('\n', "\n   "));
                let markup = &call.params["reply_markup"];
                // Inline buttons belong to their message: the newest message's are the pressable ones.
                self.inline = call
                    .inline_buttons()
                    .into_iter()
                    .filter(|(_, data)| !data.is_empty())
                    .map(|(label, data)| Button::Inline { label, data })
                    .collect();
                for row in markup["inline_keyboard"].as_array().into_iter().flatten() {
                    for button in row.as_array().into_iter().flatten().filter(|b| b.get("url").is_some()) {
                        out.push_str(&format!(
                            "   🔗 {} → {}\n",
                            button["text"].as_str().unwrap_or_default(),
                            button["url"].as_str().unwrap_or_default()
                        ));
                    }
                }
                let before = self.reply.clone();
                if markup.get("keyboard").is_some() {
                    self.reply = call.reply_keyboard().into_iter().map(Button::Reply).collect();
                } else if markup.get("remove_keyboard").is_some() {
                    self.reply.clear();
                }
                if !before.is_empty() && before != self.reply {
                    out.push_str("   ⌨️ the keyboard changed:\n");
                }
                for (i, button) in self.inline.iter().chain(&self.reply).enumerate() {
                    let line = match button {
                        Button::Inline { label, .. } => format!("   ( {} ) {label}\n", i + 1),
                        Button::Reply(label) => format!("   [ {} ] {label}\n", i + 1),
                    };
                    out.push_str(&line);
                }
                Some(out)
            }
            "answerCallbackQuery" => call.params["text"].as_str().map(|t| format!("   💬 {t}\n")),
            _ => None,
        }
    }
}

/// HTML parse-mode text as plain text: tags dropped, the three escapes decoded.
fn as_plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn user() -> Value {
    json!({"id": USER_ID, "is_bot": false, "first_name": "Вы", "language_code": "ru"})
}

fn chat() -> Value {
    json!({"id": USER_ID, "type": "private", "first_name": "Вы"})
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn mime_of(name: &str) -> &'static str {
    match name.rsplit('.').next().map(str::to_ascii_lowercase).as_deref() {
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("txt") => "text/plain",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn typed_lines_become_updates_and_buttons_can_be_pressed() {
        let telegram = FakeTelegram::start("t").await;
        let mut sim = Simulator::default();
        let contact = sim.update_for("/contact +7 900 123-45-67", &telegram).unwrap();
        assert_eq!(contact["message"]["contact"]["user_id"], USER_ID);
        let menu = Call {
            method: "sendMessage".into(),
            params: json!({"chat_id": USER_ID, "text": "Меню", "reply_markup": {"keyboard": [[{"text": "➕ Новое обращение"}], [{"text": "Другое"}]]}}),
            from_webhook_response: true,
            delivered: true,
            message_id: None,
        };
        let drawn = sim.render(&menu).unwrap();
        assert!(drawn.contains("[ 1 ] ➕ Новое обращение"));
        assert_eq!(sim.update_for("1", &telegram).unwrap()["message"]["text"], "➕ Новое обращение");
        assert_eq!(sim.update_for("Другое", &telegram).unwrap()["message"]["text"], "Другое");
        let choice = Call {
            method: "sendMessage".into(),
            params: json!({"chat_id": USER_ID, "text": "?", "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "co:a"}]]}}),
            from_webhook_response: false,
            delivered: true,
            message_id: None,
        };
        sim.render(&choice);
        assert_eq!(sim.update_for("1", &telegram).unwrap()["callback_query"]["data"], "co:a");
        assert_eq!(sim.update_for("9", &telegram).unwrap()["message"]["text"], "9", "no such button: plain text");
    }

    #[tokio::test]
    async fn a_shown_message_can_be_replied_to() {
        let telegram = FakeTelegram::start("t").await;
        let mut sim = Simulator::default();
        let card = Call {
            method: "sendMessage".into(),
            params: json!({"chat_id": USER_ID, "text": "📋 #7 Принтер"}),
            from_webhook_response: true,
            delivered: true,
            message_id: Some(41),
        };
        assert!(sim.render(&card).unwrap().contains("🤖 ↩1 📋 #7 Принтер"));
        let update = sim.update_for("/reply 1 Он снова сломался", &telegram).unwrap();
        assert_eq!(update["message"]["text"], "Он снова сломался");
        assert_eq!(update["message"]["reply_to_message"]["message_id"], 41);
        assert_eq!(update["message"]["reply_to_message"]["text"], "📋 #7 Принтер");
        assert_eq!(update["message"]["reply_to_message"]["from"]["is_bot"], true);
        assert!(sim.update_for("/reply 2 нет такого", &telegram).is_err());
    }

    #[tokio::test]
    async fn your_last_message_can_be_edited() {
        let telegram = FakeTelegram::start("t").await;
        let mut sim = Simulator::default();
        assert!(sim.update_for("/edit рано", &telegram).is_err(), "nothing sent yet");
        let sent = sim.update_for("Принтер на 2 этаже", &telegram).unwrap();
        let edit = sim.update_for("/edit Принтер на 3 этаже", &telegram).unwrap();
        assert_eq!(edit["edited_message"]["message_id"], sent["message"]["message_id"]);
        assert_eq!(edit["edited_message"]["date"], sent["message"]["date"]);
        assert_eq!(edit["edited_message"]["text"], "Принтер на 3 этаже");
        assert_ne!(edit["update_id"], sent["update_id"]);
    }

    #[test]
    fn a_notice_that_changes_the_keyboard_is_drawn_with_the_change() {
        let mut sim = Simulator::default();
        let message = |text: &str, keyboard: Value| Call {
            method: "sendMessage".into(),
            params: json!({"chat_id": USER_ID, "text": text, "parse_mode": "HTML", "reply_markup": keyboard}),
            from_webhook_response: false,
            delivered: true,
            message_id: None,
        };
        let active = json!({"keyboard": [[{"text": "➕ Новое обращение"}], [{"text": "❓ Узнать статус обращения"}]]});
        let done = json!({"keyboard": [[{"text": "➕ Новое обращение"}], [{"text": "🧐 У меня вопрос"}]]});
        let first = sim.render(&message("Меню", active.clone())).unwrap();
        assert!(!first.contains("keyboard changed"), "{first}");
        let same = sim.render(&message("<b>Статус</b>", active)).unwrap();
        assert!(!same.contains("keyboard changed"), "the same keyboard again is no change: {same}");
        let changed = sim.render(&message("✅ Обращение выполнено", done)).unwrap();
        assert!(
            changed.contains("⌨️ the keyboard changed:\n   [ 1 ] ➕ Новое обращение\n   [ 2 ] 🧐 У меня вопрос"),
            "{changed}"
        );
    }
}
