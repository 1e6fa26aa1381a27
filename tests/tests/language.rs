//! English: a client whose Telegram speaks English is answered in English (the menu, the
//! confirmations, the notices), presses are taken in either language, `/language` switches and
//! the choice is kept, and `DEFAULT_LANGUAGE` speaks to everyone else.

use e2e::{updates, TestEnv};
use serde_json::{json, Value};
use shared::dialogue::{Language, UserRecord};
use shared::ports::UserStore;
use shared::texts::{self, fill, Lang};

const ANNA: u64 = 5001; // contact c1
const CHAT: i64 = ANNA as i64;
const MANAGER: u64 = 7001; // employee e1, the client's manager
const PETR: u64 = 7002; // employee e2, an assignee whose Telegram speaks English

fn en(update: Value) -> Value {
    updates::in_language(update, Some("en"))
}

fn last(env: &TestEnv) -> e2e::fake_telegram::Call {
    env.telegram.messages_to(CHAT).pop().expect("a message to Анна")
}

fn labels(texts: &[texts::Text], lang: Lang) -> Vec<String> {
    texts.iter().map(|t| t.get(lang).to_owned()).collect()
}

/// The directory: client k1 (VIP, manager e1) and its contact Анна; nobody registered yet.
async fn directory(env: &TestEnv) {
    for (path, body) in [
        ("/employees/e1", json!({"name": "Ирина Менеджерова", "phone": "+7 999 111-22-33"})),
        ("/employees/e2", json!({"name": "Пётр Инженеров", "phone": "+7 999 111-22-44"})),
        ("/clients/k1", json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": true})),
        ("/contacts/c1", json!({"name": "Анна", "phone": "+7 912 345-67-89", "client_id": "k1"})),
    ] {
        let (status, answer) = env.api("PUT", path, Some(body)).await;
        assert!(status == 200 || status == 201, "PUT {path}: {status} {answer}");
    }
}

async fn record(env: &TestEnv, user: u64) -> UserRecord {
    env.store().load_user(user).await.expect("the user's record")
}

#[tokio::test]
async fn an_english_client_registers_in_english_and_makes_a_ticket_with_the_english_label() {
    let env = TestEnv::new().await;
    directory(&env).await;

    env.deliver(&en(updates::start(1, ANNA))).await;
    let prompt = last(&env);
    assert_eq!(prompt.text(), Some(texts::REGISTER_PROMPT.en));
    assert_eq!(prompt.reply_keyboard(), [texts::BTN_SHARE_PHONE.en]);

    env.deliver(&en(updates::contact(2, ANNA, "79123456789", Some(ANNA)))).await;
    let welcome = last(&env);
    assert_eq!(welcome.text(), Some(fill(texts::WELCOME_CONTACT.en, &[("name", "Анна")]).as_str()));
    assert_eq!(welcome.reply_keyboard(), labels(&[texts::BTN_NEW_TICKET, texts::BTN_CALL_ME], Lang::En));
    assert_eq!(
        record(&env, ANNA).await.language,
        Some(Language { lang: Lang::En, chosen: false }),
        "the detected language is kept with the registration's write"
    );

    // «➕ New request», pressed on the English keyboard, then the message: a ticket.
    env.deliver(&en(updates::text(3, ANNA, texts::BTN_NEW_TICKET.en))).await;
    assert_eq!(last(&env).text(), Some(texts::NEW_TICKET_PROMPT.en));
    env.deliver(&en(updates::text(4, ANNA, "The printer on the 2nd floor is jammed"))).await;
    let tickets = env.tickets_of("c1").await;
    assert_eq!(tickets.len(), 1);
    let id = tickets[0].id;
    let created = last(&env);
    assert_eq!(created.text(), Some(fill(texts::TICKET_CREATED.en, &[("id", &id.to_string())]).as_str()));
    let active_menu = [texts::BTN_NEW_TICKET, texts::BTN_STATUS, texts::BTN_COMMENT, texts::BTN_CANCEL];
    assert_eq!(created.reply_keyboard(), labels(&active_menu, Lang::En));
    let stored = env.ticket(id).await.ticket;
    assert_eq!((stored.subject.as_str(), stored.contact_id.as_str()), ("The printer on the 2nd floor is jammed", "c1"));

    // A keyboard of the other language still on screen: its label works too.
    env.deliver(&en(updates::text(5, ANNA, texts::BTN_STATUS.ru))).await;
    let list = last(&env);
    assert_eq!(list.text(), Some(texts::CHOOSE_TICKET_STATUS.en));
    assert_eq!(list.inline_buttons()[0].1, format!("st:{id}"));
    env.deliver(&en(updates::text(6, ANNA, texts::BTN_NEW_TICKET.ru))).await;
    assert_eq!(last(&env).text(), Some(texts::NEW_TICKET_PROMPT.en));
    env.deliver(&en(updates::text(7, ANNA, "And the scanner too"))).await;
    assert_eq!(env.tickets_of("c1").await.len(), 2, "a ticket from the Russian label as well");

    // The card, in English.
    env.deliver(&en(updates::callback(8, ANNA, &format!("st:{id}")))).await;
    let card = last(&env);
    assert!(card.text().unwrap().contains(texts::STATUS_NEW.en), "{:?}", card.text());
    assert!(card.text().unwrap().contains(texts::NOT_SET.en), "{:?}", card.text());

    // An edit of the first message: answered in English, stored in the desk's words.
    let sent = (chrono::Utc::now() - chrono::Duration::hours(1)).timestamp();
    env.deliver(&en(updates::edit(9, ANNA, 4, "The printer on the 3rd floor is jammed", sent))).await;
    assert_eq!(last(&env).text(), Some(fill(texts::EDIT_ADDED.en, &[("id", &id.to_string())]).as_str()));
    let comments: Vec<String> = env.ticket(id).await.comments.into_iter().map(|c| c.text).collect();
    assert_eq!(comments, ["✏️ Исправлено: The printer on the 3rd floor is jammed"]);
}

#[tokio::test]
async fn language_switches_to_russian_and_the_choice_is_kept_over_telegrams() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&en(updates::contact(1, ANNA, "79123456789", Some(ANNA)))).await;

    // `/help` names `/language`.
    env.deliver(&en(updates::text(2, ANNA, "/help"))).await;
    let help = last(&env);
    assert!(help.text().unwrap().contains(&fill(texts::HELP_LANGUAGE.en, &[("language", "/language")])));

    env.deliver(&en(updates::text(3, ANNA, "/language"))).await;
    let asked = last(&env);
    assert_eq!(asked.text(), Some(texts::LANGUAGE_PROMPT.en));
    assert_eq!(
        asked.inline_buttons(),
        [("Русский".to_owned(), "lg:ru".to_owned()), ("English".to_owned(), "lg:en".to_owned())]
    );

    env.deliver(&en(updates::callback(4, ANNA, "lg:ru"))).await;
    let chosen = last(&env);
    assert_eq!(chosen.text(), Some(texts::LANGUAGE_CHOSEN.ru));
    assert_eq!(chosen.reply_keyboard(), labels(&[texts::BTN_NEW_TICKET, texts::BTN_CALL_ME], Lang::Ru));
    assert_eq!(record(&env, ANNA).await.language, Some(Language { lang: Lang::Ru, chosen: true }));

    // Telegram still says English: the choice wins, and nothing is written to say so.
    let before = record(&env, ANNA).await.version;
    env.deliver(&en(updates::start(5, ANNA))).await;
    let menu = last(&env);
    assert_eq!(menu.text(), Some(texts::MENU_PROMPT.ru));
    assert_eq!(menu.reply_keyboard(), labels(&[texts::BTN_NEW_TICKET, texts::BTN_CALL_ME], Lang::Ru));
    assert_eq!(record(&env, ANNA).await.version, before, "a menu writes nothing");

    // And back: English, chosen.
    env.deliver(&updates::callback(6, ANNA, "lg:en")).await;
    assert_eq!(last(&env).text(), Some(texts::LANGUAGE_CHOSEN.en));
    env.deliver(&updates::start(7, ANNA)).await; // language_code "ru"
    assert_eq!(last(&env).text(), Some(texts::MENU_PROMPT.en));
}

#[tokio::test]
async fn an_unregistered_user_may_choose_the_language_and_is_asked_for_the_phone_in_it() {
    let env = TestEnv::new().await;
    env.deliver(&updates::text(1, ANNA, "/language")).await;
    assert_eq!(last(&env).text(), Some(texts::LANGUAGE_PROMPT.ru));
    env.deliver(&updates::callback(2, ANNA, "lg:en")).await;
    let chosen = last(&env);
    assert_eq!(chosen.text(), Some(format!("{}\n\n{}", texts::LANGUAGE_CHOSEN.en, texts::REGISTER_PROMPT.en).as_str()));
    assert_eq!(chosen.reply_keyboard(), [texts::BTN_SHARE_PHONE.en]);
    env.deliver(&updates::start(3, ANNA)).await;
    assert_eq!(last(&env).text(), Some(texts::REGISTER_PROMPT.en));
}

#[tokio::test]
async fn notices_reach_each_recipient_in_their_language() {
    let env = TestEnv::new().await;
    directory(&env).await;
    env.deliver(&en(updates::contact(1, ANNA, "79123456789", Some(ANNA)))).await;
    env.deliver(&updates::contact(2, MANAGER, "79991112233", Some(MANAGER))).await; // in Russian
    env.deliver(&en(updates::contact(90, PETR, "79991112244", Some(PETR)))).await;
    env.deliver(&en(updates::text(3, ANNA, "The printer is jammed"))).await;
    let id = env.tickets_of("c1").await[0].id;
    env.run_notifier().await;
    // The VIP ticket reaches the manager in Russian.
    let to_manager = env.telegram.texts_to(MANAGER as i64);
    let vip = fill(texts::NOTICE_VIP_TICKET.ru, &[("client", "ООО Ромашка"), ("contact", "Анна")]);
    assert!(to_manager.iter().any(|t| t.contains(&vip)), "{to_manager:?}");
    let buttons = env.telegram.messages_to(MANAGER as i64).pop().unwrap().inline_buttons();
    assert_eq!(buttons[0].0, texts::BTN_TAKE.ru, "{buttons:?}");
    assert_eq!(buttons[1], (texts::BTN_CARD.ru.to_owned(), format!("cd:{id}")));
    env.telegram.clear();

    // A staff notice to an employee whose Telegram speaks English: in English, its card button too.
    let (status, answer) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"assignee_id": "e2"}))).await;
    assert_eq!(status, 200, "{answer}");
    env.run_notifier().await;
    env.telegram.clear();
    env.deliver(&en(updates::text(91, ANNA, texts::BTN_COMMENT.en))).await;
    env.deliver(&en(updates::callback(92, ANNA, &format!("cm:{id}")))).await;
    env.deliver(&en(updates::text(93, ANNA, "Still jammed"))).await;
    env.run_notifier().await;
    let to_petr = env.telegram.messages_to(PETR as i64);
    assert_eq!(to_petr.len(), 1, "{to_petr:?}");
    let line = fill(
        texts::NOTICE_CLIENT_COMMENT.en,
        &[("contact", "Анна"), ("client", "ООО Ромашка"), ("text", "Still jammed")],
    );
    assert!(to_petr[0].text().unwrap().contains(&line), "{:?}", to_petr[0].text());
    let buttons = to_petr[0].inline_buttons();
    assert_eq!(buttons[0], (texts::BTN_START.en.to_owned(), format!("sf:start:{id}:2")), "his new ticket");
    assert_eq!(buttons[1], (texts::BTN_CARD.en.to_owned(), format!("cd:{id}")));
    env.telegram.clear();

    // A status change by staff, through the API: in English, with the English status name.
    let (status, answer) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "in_progress"}))).await;
    assert_eq!(status, 200, "{answer}");
    env.run_notifier().await;
    let notice = last(&env);
    let text = notice.text().unwrap();
    let header = fill(texts::NOTICE_TICKET.en, &[("id", &id.to_string()), ("subject", "The printer is jammed")]);
    assert!(text.starts_with(&header), "{text}");
    assert!(text.contains(&fill(texts::NOTICE_STATUS.en, &[("status", texts::STATUS_IN_PROGRESS.en)])), "{text}");
    let active_menu = [texts::BTN_NEW_TICKET, texts::BTN_STATUS, texts::BTN_COMMENT, texts::BTN_CANCEL];
    assert_eq!(notice.reply_keyboard(), labels(&active_menu, Lang::En), "the menu in English");

    // Done: the completion and the request to rate, in English.
    env.telegram.clear();
    env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "done"}))).await;
    env.run_notifier().await;
    let said = env.telegram.texts_to(CHAT);
    assert!(
        said.iter().any(|t| t.contains(&fill(texts::NOTICE_DONE.en, &[("status", texts::STATUS_DONE.en)]))),
        "{said:?}"
    );
    assert!(said.iter().any(|t| t.ends_with(texts::RATING_ASK.en)), "{said:?}");
}

#[tokio::test]
async fn the_default_language_speaks_to_users_whose_telegram_speaks_neither() {
    let german = |update| updates::in_language(update, Some("de"));
    let env = TestEnv::with_env(&[("DEFAULT_LANGUAGE", "en")]).await;
    env.deliver(&german(updates::start(1, ANNA))).await;
    assert_eq!(last(&env).text(), Some(texts::REGISTER_PROMPT.en));
    env.deliver(&updates::start(2, ANNA)).await; // language_code "ru"
    assert_eq!(last(&env).text(), Some(texts::REGISTER_PROMPT.ru));

    // With the default default, Russian.
    let env = TestEnv::new().await;
    env.deliver(&german(updates::start(1, ANNA))).await;
    assert_eq!(last(&env).text(), Some(texts::REGISTER_PROMPT.ru));
    env.deliver(&updates::in_language(updates::start(2, ANNA), None)).await;
    assert_eq!(last(&env).text(), Some(texts::REGISTER_PROMPT.ru));
}
