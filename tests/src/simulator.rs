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
use std::collections::HashMap;

/// The client's Telegram user id (you, at the start).
pub const USER_ID: u64 = 100_500;

/// Someone you can be in the simulator (`/as <role>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Role {
    /// As typed after `/as`.
    pub name: &'static str,
    pub user_id: u64,
    pub first_name: &'static str,
    /// An employee's, shared at the start so the bot links them ([`Simulator::staff_links`];
    /// `None`: the client registers as a client does).
    pub phone: Option<&'static str>,
}

/// The demo desk's people: the client, the VIP client's manager (who hears of its new
/// tickets) and an engineer.
pub const ROLES: [Role; 3] = [
    Role { name: "client", user_id: USER_ID, first_name: "Вы", phone: None },
    Role { name: "manager", user_id: 100_501, first_name: "Ирина", phone: Some(crate::DEMO_MANAGER_PHONE) },
    Role { name: "engineer", user_id: 100_502, first_name: "Пётр", phone: Some(crate::DEMO_ENGINEER_PHONE) },
];

fn role_of(user_id: u64) -> Option<&'static Role> {
    ROLES.iter().find(|role| role.user_id == user_id)
}

/// A button currently on screen.
#[derive(Debug, Clone, PartialEq)]
enum Button {
    /// Reply keyboard: pressing sends its label as text.
    Reply(String),
    /// Inline: pressing sends its callback data.
    Inline { label: String, data: String },
}

/// One chat as its user sees it.
#[derive(Debug, Default)]
struct Screen {
    inline: Vec<Button>,
    /// The message the inline buttons sit on: its id and its `reply_markup` (a press names both).
    inline_message: Option<(i64, Value)>,
    reply: Vec<Button>,
    /// The bot's messages shown, `↩n` being the n-th: their ids and text, as a reply quotes them.
    shown: Vec<(i64, String)>,
    /// Your last message: its id and when it was sent (`/edit` edits it).
    last_sent: Option<(u64, i64)>,
}

pub struct Simulator {
    next_update_id: u64,
    next_file: u64,
    /// Who you are now (a [`ROLES`] user id).
    me: u64,
    screens: HashMap<u64, Screen>,
}

impl Default for Simulator {
    fn default() -> Self {
        Simulator { next_update_id: 1, next_file: 1, me: USER_ID, screens: HashMap::new() }
    }
}

pub const HELP: &str =
    "Type as a client would (the bot's commands too: /start, /menu, /help, /tickets, /company, /language, /unlink). \
Simulator commands: /contact <phone>, /photo <path> [caption], /file <path> [caption], a button's number \
or label to press it, /reply <n> <text> to reply to the bot's message marked ↩n, /edit <text> to edit your \
last message, /as client|manager|engineer to be someone else of the demo desk (the VIP client's manager hears \
of its new tickets), ? for this help.";

/// What the simulator itself answers (the bot's `/help` goes to the bot).
pub const HELP_COMMAND: &str = "?";

impl Simulator {
    /// The updates that link the demo desk's employees ([`ROLES`] with a phone) to the bot, as
    /// if each had shared their phone: sent once at the start, so the manager hears of the
    /// client's tickets before you switch to them.
    pub fn staff_links(&mut self) -> Vec<Value> {
        let staff = ROLES.iter().filter_map(|role| Some((role, role.phone?)));
        let links: Vec<Value> = staff
            .enumerate()
            .map(|(i, (role, phone))| {
                let id = self.next_update_id + i as u64;
                let contact = json!({"phone_number": phone, "first_name": role.first_name, "user_id": role.user_id});
                let message = json!({"message_id": id, "date": now(), "chat": chat(role.user_id), "from": user(role.user_id), "contact": contact});
                json!({"update_id": id, "message": message})
            })
            .collect();
        self.next_update_id += links.len() as u64;
        links
    }

    /// Who you are now.
    pub fn me(&self) -> &'static Role {
        role_of(self.me).unwrap_or(&ROLES[0])
    }

    fn screen(&mut self) -> &mut Screen {
        self.screens.entry(self.me).or_default()
    }

    /// Turns a typed line into an update (files are registered with the fake Telegram). An
    /// `Err` is the simulator's own answer, to be shown.
    pub fn update_for(&mut self, line: &str, telegram: &FakeTelegram) -> Result<Value, String> {
        let line = line.trim();
        let update_id = self.next_update_id;
        let (command, rest) = line.split_once(' ').map_or((line, ""), |(c, r)| (c, r.trim()));
        let (me, first_name) = (self.me, self.me().first_name);
        let content = match command {
            "/as" => {
                let names: Vec<&str> = ROLES.iter().map(|r| r.name).collect();
                let role =
                    ROLES.iter().find(|r| r.name == rest).ok_or_else(|| format!("usage: /as {}", names.join("|")))?;
                self.me = role.user_id;
                let again = if role.user_id == USER_ID { " again" } else { "" };
                return Err(format!(
                    "👤 You are the {}{again} ({}).{}",
                    role.name,
                    role.first_name,
                    self.drawn_buttons()
                ));
            }
            "/contact" if !rest.is_empty() => {
                json!({"contact": {"phone_number": rest, "first_name": first_name, "user_id": me}})
            }
            "/contact" => return Err("usage: /contact <phone>".into()),
            "/edit" => {
                let Some((message_id, sent)) = self.screen().last_sent.filter(|_| !rest.is_empty()) else {
                    return Err("usage: /edit <text>, after you sent a message".into());
                };
                self.next_update_id += 1;
                let edited = json!({"message_id": message_id, "date": sent, "edit_date": now(), "chat": chat(me), "from": user(me), "text": rest});
                return Ok(json!({"update_id": update_id, "edited_message": edited}));
            }
            "/reply" => {
                let usage = || "usage: /reply <n> <text>, n as a bot's message is marked ↩n".to_owned();
                let (n, text) = rest.split_once(' ').ok_or_else(usage)?;
                let n: usize = n.parse().map_err(|_| usage())?;
                let shown = &self.screen().shown;
                let (message_id, quoted) = n.checked_sub(1).and_then(|i| shown.get(i)).ok_or_else(usage)?.clone();
                let bot = json!({"id": 1, "is_bot": true, "first_name": "Service desk bot"});
                json!({
                    "text": text.trim(),
                    "reply_to_message": {"message_id": message_id, "date": now(), "chat": chat(me), "from": bot, "text": quoted}
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
                    let (message_id, markup) = self.screen().inline_message.clone().unwrap_or((1, Value::Null));
                    return Ok(json!({
                        "update_id": update_id,
                        "callback_query": {
                            "id": format!("sim-cb-{update_id}"),
                            "from": user(me),
                            "chat_instance": "simulator",
                            "data": data,
                            "message": {"message_id": message_id, "date": now(), "chat": chat(me), "text": "", "reply_markup": markup}
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
        let me = self.me; // `/as` changed who sends it
                          // Telegram lets its user edit texts and captions (not a shared contact).
        if content.get("text").or_else(|| content.get("caption")).is_some() {
            self.screen().last_sent = Some((update_id, now()));
        }
        let mut message = json!({"message_id": update_id, "date": now(), "chat": chat(me), "from": user(me)});
        message.as_object_mut().expect("object").extend(content.as_object().expect("object").clone());
        Ok(json!({"update_id": update_id, "message": message}))
    }

    /// The button a line presses: its number, or its exact label.
    fn pressed(&mut self, line: &str) -> Option<Button> {
        let screen = self.screen();
        let all: Vec<&Button> = screen.inline.iter().chain(&screen.reply).collect();
        if let Ok(number) = line.parse::<usize>() {
            return number.checked_sub(1).and_then(|i| all.get(i)).map(|b| (*b).clone());
        }
        all.into_iter()
            .find(|b| match b {
                Button::Reply(label) | Button::Inline { label, .. } => label == line,
            })
            .cloned()
    }

    /// Your buttons now, one per line (after a switch of who you are).
    fn drawn_buttons(&mut self) -> String {
        let screen = self.screen();
        let mut out = String::new();
        for (i, button) in screen.inline.iter().chain(&screen.reply).enumerate() {
            let line = match button {
                Button::Inline { label, .. } => format!("\n   ( {} ) {label}", i + 1),
                Button::Reply(label) => format!("\n   [ {} ] {label}", i + 1),
            };
            out.push_str(&line);
        }
        out
    }

    /// Draws a Bot API call the way a chat shows it; remembers the keyboards for presses (each
    /// role's: what reaches the manager while you are the client is there when you switch).
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
        let chat = call.chat_id().and_then(|id| u64::try_from(id).ok());
        let Some(owner) = chat.filter(|id| role_of(*id).is_some()).or(chat.filter(|_| call.method == "sendMessage"))
        else {
            // Answers to presses carry no chat: they are yours.
            return match call.method.as_str() {
                "answerCallbackQuery" => call.params["text"].as_str().map(|t| format!("   💬 {t}\n")),
                _ => None,
            };
        };
        let drawn = self.draw(owner, call);
        if owner == self.me {
            return drawn;
        }
        // Someone else's chat: shown aside.
        let who =
            role_of(owner).map_or_else(|| format!("chat {owner}"), |r| format!("the {} ({})", r.name, r.first_name));
        let text = call.text().map(|t| t.replace('\n', "\n      "))?;
        Some(format!("\n   📨 to {who}: {text}\n"))
    }

    /// Updates the screen of `owner`'s chat with the call; the drawing of it, as they see it.
    fn draw(&mut self, owner: u64, call: &Call) -> Option<String> {
        let screen = self.screens.entry(owner).or_default();
        let markup = &call.params["reply_markup"];
        let inline = |call: &Call| -> Vec<Button> {
            let pressed = call.inline_buttons().into_iter().filter(|(_, data)| !data.is_empty());
            pressed.map(|(label, data)| Button::Inline { label, data }).collect()
        };
        let mut out = match call.method.as_str() {
            "sendMessage" => {
                let text = call.text().unwrap_or_default();
                let mark = match call.message_id {
                    Some(id) => {
                        screen.shown.push((id, text.to_owned()));
                        format!("↩{} ", screen.shown.len())
                    }
                    None => String::new(),
                };
                // Inline buttons belong to their message: the newest message's are the pressable ones.
                screen.inline = inline(call);
                screen.inline_message = call.message_id.map(|id| (id, markup.clone()));
                format!("\n🤖 {mark}{}\n", text.replace('\n', "\n   "))
            }
            // A press redrew a message's buttons: pressable if they are the newest ones.
            "editMessageReplyMarkup" => {
                let id = call.params["message_id"].as_i64();
                if screen.inline_message.as_ref().map(|(shown, _)| Some(*shown)) != Some(id) {
                    return None;
                }
                screen.inline = inline(call);
                screen.inline_message = id.map(|id| (id, markup.clone()));
                "   🔘 the message's buttons now:\n".to_owned()
            }
            _ => return None,
        };
        for row in markup["inline_keyboard"].as_array().into_iter().flatten() {
            for button in row.as_array().into_iter().flatten().filter(|b| b.get("url").is_some()) {
                out.push_str(&format!(
                    "   🔗 {} → {}\n",
                    button["text"].as_str().unwrap_or_default(),
                    button["url"].as_str().unwrap_or_default()
                ));
            }
        }
        let before = screen.reply.clone();
        if markup.get("keyboard").is_some() {
            screen.reply = call.reply_keyboard().into_iter().map(Button::Reply).collect();
        } else if markup.get("remove_keyboard").is_some() {
            screen.reply.clear();
        }
        if !before.is_empty() && before != screen.reply {
            out.push_str("   ⌨️ the keyboard changed:\n");
        }
        for (i, button) in screen.inline.iter().chain(&screen.reply).enumerate() {
            let line = match button {
                Button::Inline { label, .. } => format!("   ( {} ) {label}\n", i + 1),
                Button::Reply(label) => format!("   [ {} ] {label}\n", i + 1),
            };
            out.push_str(&line);
        }
        Some(out)
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

fn user(id: u64) -> Value {
    let name = role_of(id).map_or("Вы", |r| r.first_name);
    json!({"id": id, "is_bot": false, "first_name": name, "language_code": "ru"})
}

fn chat(id: u64) -> Value {
    let name = role_of(id).map_or("Вы", |r| r.first_name);
    json!({"id": id, "type": "private", "first_name": name})
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

    /// The whole exchange plays in one terminal: the manager's notice arrives while you are
    /// the client, and is there to press when you become the manager.
    #[tokio::test]
    async fn you_can_be_the_manager_and_press_the_notice_you_got_meanwhile() {
        let telegram = FakeTelegram::start("t").await;
        let mut sim = Simulator::default();
        let manager = ROLES[1];
        let markup = json!({"inline_keyboard": [[{"text": "🙋 Взять себе", "callback_data": "sf:take:7:1"}], [{"text": "Открыть", "url": "https://desk.example.com/tickets/7"}]]});
        let notice = Call {
            method: "sendMessage".into(),
            params: json!({"chat_id": manager.user_id, "text": "⭐ Новое обращение VIP-клиента", "reply_markup": markup}),
            from_webhook_response: false,
            delivered: true,
            message_id: Some(55),
        };
        let aside = sim.render(&notice).unwrap();
        assert!(aside.contains("📨 to the manager (Ирина): ⭐ Новое обращение VIP-клиента"), "{aside}");
        assert!(sim.update_for("/as nobody", &telegram).is_err());

        let links = sim.staff_links();
        assert_eq!(links[0]["message"]["contact"]["phone_number"], crate::DEMO_MANAGER_PHONE);
        assert_eq!(links[0]["message"]["from"]["id"], manager.user_id);
        assert_eq!(links[1]["message"]["from"]["id"], ROLES[2].user_id);
        assert_ne!(links[0]["update_id"], links[1]["update_id"]);
        let switched = sim.update_for("/as manager", &telegram).unwrap_err();
        assert!(switched.contains("manager (Ирина)") && switched.contains("( 1 ) 🙋 Взять себе"), "{switched}");
        let press = sim.update_for("1", &telegram).unwrap();
        assert_eq!(press["callback_query"]["data"], "sf:take:7:1");
        assert_eq!(press["callback_query"]["from"]["id"], manager.user_id);
        assert_eq!(press["callback_query"]["message"]["message_id"], 55);
        assert_eq!(press["callback_query"]["message"]["reply_markup"], markup, "as Telegram sends it");

        let redrawn = Call {
            method: "editMessageReplyMarkup".into(),
            params: json!({"chat_id": manager.user_id, "message_id": 55, "reply_markup": {"inline_keyboard": [[{"text": "✅ Выполнено", "callback_data": "sf:done:7:2"}]]}}),
            from_webhook_response: true,
            delivered: true,
            message_id: None,
        };
        assert!(sim.render(&redrawn).unwrap().contains("( 1 ) ✅ Выполнено"));
        assert_eq!(sim.update_for("1", &telegram).unwrap()["callback_query"]["data"], "sf:done:7:2");
        assert!(sim.update_for("/as client", &telegram).unwrap_err().contains("client again"));
        assert_eq!(sim.update_for("Привет", &telegram).unwrap()["message"]["from"]["id"], USER_ID);
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
