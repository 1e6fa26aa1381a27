//! The client's actions on tickets, end to end (spec sections 2–6): status cards, comments,
//! cancelling, questions about completed tickets, call-back requests; every press authorised.

use e2e::{updates, TestEnv};
use serde_json::json;
use shared::texts;

const ANNA: u64 = 5001; // contact c1 of k1 (manager e1)
const CHAT: i64 = ANNA as i64;
const BORIS: u64 = 5002; // contact c2 of k1
const MANAGER: u64 = 7001;

async fn world(manager_in_telegram: bool) -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await; // k1, c1, e1 (manager, phone +7 999 111-22-33)
    let (status, _) = env.api("PUT", "/employees/e2", Some(json!({"name": "Пётр Иванов"}))).await;
    assert_eq!(status, 201);
    env.registered_second_contact(BORIS).await;
    if manager_in_telegram {
        env.deliver(&updates::contact(3, MANAGER, "79991112233", Some(MANAGER))).await;
    }
    env.run_notifier().await;
    env.telegram.clear();
    env
}

async fn ticket(env: &TestEnv, contact: &str, subject: &str, extra: serde_json::Value) -> u64 {
    let mut body = json!({"contact_id": contact, "subject": subject, "source": "phone"});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let (status, created) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_u64().unwrap()
}

/// Presses the menu button and returns the inline buttons of the list the bot drew.
async fn open_list(env: &TestEnv, update_id: u64, user: u64, button: &str) -> Vec<(String, String)> {
    env.deliver(&updates::text(update_id, user, button)).await;
    env.telegram.messages_to(user as i64).pop().expect("a reply").inline_buttons()
}

fn last_text(env: &TestEnv, chat: i64) -> String {
    env.telegram.texts_to(chat).pop().expect("a message")
}

#[tokio::test]
async fn the_status_card_shows_assignee_status_and_deadline_within_two_requests() {
    let env = world(true).await;
    let first = ticket(&env, "c1", "Не работает почта", json!({})).await;
    let second =
        ticket(&env, "c1", "Нужен VPN", json!({"assignee_id": "e2", "deadline": "2026-11-28T15:00:00Z"})).await;
    env.api("PATCH", &format!("/tickets/{second}"), Some(json!({"status": "in_progress"}))).await;

    let buttons = open_list(&env, 10, ANNA, texts::BTN_STATUS.ru).await;
    assert_eq!(last_text(&env, CHAT), texts::CHOOSE_TICKET_STATUS.ru);
    let labels: Vec<&str> = buttons.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(labels, [format!("#{second} Нужен VPN"), format!("#{first} Не работает почта")], "newest first");

    env.webhook_requests.reset();
    env.deliver(&updates::callback(11, ANNA, &buttons[0].1)).await;
    assert!(env.webhook_requests.get() <= 2, "a card took {} DynamoDB requests", env.webhook_requests.get());
    assert_eq!(
        last_text(&env, CHAT),
        format!("📋 #{second} Нужен VPN\n\n🧑‍💻 Пётр Иванов\n🏷️ В работе\n🕒 28.11.2026 18:00")
    );
    env.deliver(&updates::callback(12, ANNA, &buttons[1].1)).await;
    assert_eq!(
        last_text(&env, CHAT),
        format!("📋 #{first} Не работает почта\n\n🧑‍💻 Не назначен\n🏷️ Новая\n🕒 Не назначен")
    );
    let answered = env.telegram.calls().iter().filter(|c| c.method == "answerCallbackQuery").count();
    assert_eq!(answered, 2, "every press is answered");
}

#[tokio::test]
async fn another_contacts_ticket_id_in_the_button_shows_and_changes_nothing() {
    let env = world(true).await;
    let annas = ticket(&env, "c1", "Секретная заявка Анны", json!({})).await;
    ticket(&env, "c2", "Заявка Бориса", json!({})).await;
    for data in [format!("st:{annas}"), format!("cx:{annas}"), format!("cm:{annas}"), format!("qd:{annas}")] {
        env.deliver(&updates::callback(20, BORIS, &data)).await;
    }
    let seen = env.telegram.calls().iter().map(|c| c.params.to_string()).collect::<String>();
    assert!(!seen.contains("Секретная"), "nothing of Anna's ticket reaches Boris");
    let (_, stored) = env.api("GET", &format!("/tickets/{annas}"), None).await;
    assert_eq!(stored["status"], "new");
    assert_eq!(stored["comments"], json!([]));
    // Boris' next message is not taken as a comment on Anna's ticket either.
    env.deliver(&updates::text(21, BORIS, "Комментарий?")).await;
    assert_eq!(env.api("GET", &format!("/tickets/{annas}"), None).await.1["comments"], json!([]));
}

#[tokio::test]
async fn a_comment_with_text_and_an_album_lands_on_the_chosen_ticket() {
    let env = world(true).await;
    let id = ticket(&env, "c1", "Сломался принтер", json!({})).await;
    let buttons = open_list(&env, 30, ANNA, texts::BTN_COMMENT.ru).await;
    env.deliver(&updates::callback(31, ANNA, &buttons[0].1)).await;
    assert_eq!(last_text(&env, CHAT), texts::COMMENT_PROMPT.ru);
    env.deliver(&updates::text(32, ANNA, "Горит красная лампочка")).await;
    assert_eq!(last_text(&env, CHAT), texts::fill(texts::COMMENT_ADDED.ru, &[("id", &id.to_string())]));

    // Again, with a two-photo album delivered concurrently.
    let buttons = open_list(&env, 33, ANNA, texts::BTN_COMMENT.ru).await;
    env.deliver(&updates::callback(34, ANNA, &buttons[0].1)).await;
    for f in ["p1", "p2"] {
        env.telegram.add_file(f, &format!("photos/{f}.jpg"), vec![0xFF, 0xD8, 0xFF, 0xE0, 7]);
    }
    let one = updates::photo(35, ANNA, "p1", 5, None, Some("alb-c"));
    let two = updates::photo(36, ANNA, "p2", 5, Some("Вот фото"), Some("alb-c"));
    tokio::join!(env.deliver(&one), env.deliver(&two));

    let stored = env.ticket(id).await;
    assert_eq!(stored.comments.len(), 2);
    assert_eq!(stored.comments[0].text, "Горит красная лампочка");
    assert_eq!(stored.comments[1].text, "Вот фото");
    let files: Vec<_> =
        stored.attachments.iter().filter(|a| a.comment_id.as_deref() == Some(stored.comments[1].id.as_str())).collect();
    assert_eq!(files.len(), 2, "both album parts on one comment");
    assert!(stored.comments.iter().all(|c| c.author_kind == shared::domain::AuthorKind::Client && !c.internal));
    let confirmations = env.telegram.texts_to(CHAT).iter().filter(|t| t.starts_with("✔️ Ваш комментарий")).count();
    assert_eq!(confirmations, 2);
}

#[tokio::test]
async fn cancelling_once_however_often_it_is_pressed() {
    let env = world(true).await;
    let keep = ticket(&env, "c1", "Остаётся", json!({})).await;
    let cancel = ticket(&env, "c1", "Отменить", json!({"assignee_id": "e2"})).await;
    env.run_notifier().await; // the two «created» notices
    let buttons = open_list(&env, 40, ANNA, texts::BTN_CANCEL.ru).await;
    let press = buttons.iter().find(|(label, _)| label.contains("Отменить")).unwrap().1.clone();
    // A double tap: two updates at once.
    let (a, b) = (updates::callback(41, ANNA, &press), updates::callback(42, ANNA, &press));
    tokio::join!(env.deliver(&a), env.deliver(&b));
    let stored = env.ticket(cancel).await;
    assert_eq!(stored.ticket.status, shared::domain::TicketStatus::Cancelled);
    let cancellations: Vec<_> = stored.journal.iter().filter(|e| e.event == "cancelled").collect();
    assert_eq!(cancellations.len(), 1, "one cancellation, one journal entry");
    assert_eq!(cancellations[0].by.code(), "client:c1");
    let said = env.telegram.texts_to(CHAT);
    let cancelled_text = texts::fill(texts::TICKET_CANCELLED.ru, &[("id", &cancel.to_string())]);
    assert_eq!(said.iter().filter(|t| **t == cancelled_text).count(), 1);
    let menu = env.telegram.messages_to(CHAT).pop().unwrap().reply_keyboard();
    assert_eq!(
        menu,
        vec![texts::BTN_NEW_TICKET.ru, texts::BTN_STATUS.ru, texts::BTN_COMMENT.ru, texts::BTN_CANCEL.ru],
        "one still active"
    );

    // The last one: "nothing left" and the menu without active tickets.
    let buttons = open_list(&env, 43, ANNA, texts::BTN_CANCEL.ru).await;
    assert_eq!(buttons.len(), 1);
    env.deliver(&updates::callback(44, ANNA, &buttons[0].1)).await;
    let last = env.telegram.messages_to(CHAT).pop().unwrap();
    assert_eq!(
        last.text().unwrap(),
        format!(
            "{}\n\n{}",
            texts::fill(texts::TICKET_CANCELLED.ru, &[("id", &keep.to_string())]),
            texts::NO_MORE_ACTIVE.ru
        )
    );
    assert_eq!(last.reply_keyboard(), vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru]);

    // The assignee hears of the cancellation; the client is not told what they did.
    let to_anna = env.telegram.texts_to(CHAT).len();
    env.run_notifier().await;
    assert_eq!(env.telegram.texts_to(CHAT).len(), to_anna);
    // (e2 has no Telegram here: nothing to send, nothing failed.)
}

#[tokio::test]
async fn a_stale_cancel_button_on_a_completed_ticket_says_so_and_changes_nothing() {
    let env = world(true).await;
    let id = ticket(&env, "c1", "Уже сделали", json!({})).await;
    let buttons = open_list(&env, 50, ANNA, texts::BTN_CANCEL.ru).await;
    env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "done"}))).await;
    env.deliver(&updates::callback(51, ANNA, &buttons[0].1)).await;
    let refusal = texts::fill(texts::TICKET_NOT_AVAILABLE.ru, &[("id", &id.to_string())]);
    let answer = env.telegram.calls().into_iter().rfind(|c| c.method == "answerCallbackQuery").unwrap();
    assert_eq!(answer.params["text"], refusal.as_str());
    assert_eq!(last_text(&env, CHAT), refusal);
    let stored = env.ticket(id).await;
    assert_eq!(stored.ticket.status, shared::domain::TicketStatus::Done);
    assert!(stored.journal.iter().all(|e| e.event != "cancelled"));
}

#[tokio::test]
async fn a_question_about_a_completed_ticket_is_a_comment_on_it() {
    let env = world(true).await;
    let id = ticket(&env, "c1", "Настроили почту", json!({})).await;
    env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "done"}))).await;
    env.deliver(&updates::start(60, ANNA)).await;
    let menu = env.telegram.messages_to(CHAT).pop().unwrap().reply_keyboard();
    assert_eq!(menu, vec![texts::BTN_NEW_TICKET.ru, texts::BTN_CALL_ME.ru, texts::BTN_QUESTION_DONE.ru]);
    let buttons = open_list(&env, 61, ANNA, texts::BTN_QUESTION_DONE.ru).await;
    assert_eq!(last_text(&env, CHAT), texts::CHOOSE_TICKET_DONE.ru);
    env.deliver(&updates::callback(62, ANNA, &buttons[0].1)).await;
    assert_eq!(last_text(&env, CHAT), texts::COMMENT_PROMPT.ru);
    env.deliver(&updates::text(63, ANNA, "А пароль от почты какой?")).await;
    let stored = env.ticket(id).await;
    assert_eq!(stored.comments.len(), 1);
    assert_eq!(stored.comments[0].text, "А пароль от почты какой?");
    assert_eq!(stored.ticket.status, shared::domain::TicketStatus::Done, "the question does not reopen it");
}

#[tokio::test]
async fn a_call_back_request_is_recorded_and_the_manager_told() {
    let env = world(true).await;
    env.deliver(&updates::text(70, ANNA, texts::BTN_CALL_ME.ru)).await;
    assert_eq!(last_text(&env, CHAT), texts::CALL_ME_NOTIFIED.ru);
    let (status, list) = env.api("GET", "/callback-requests", None).await;
    assert_eq!(status, 200);
    let request = &list["callback_requests"][0];
    assert_eq!(request["contact"], json!({"id": "c1", "name": "Анна", "phone": "+79123456789"}));
    assert_eq!(request["client"], json!({"id": "k1", "name": "ООО Ромашка"}));
    assert_eq!(request["state"], "new");
    assert!(request["created_at"].is_string());

    env.run_notifier().await;
    let to_manager = env.telegram.texts_to(MANAGER as i64);
    assert_eq!(to_manager.len(), 1);
    assert!(
        to_manager[0].contains("Анна")
            && to_manager[0].contains("ООО Ромашка")
            && to_manager[0].contains("+7 912 345-67-89"),
        "the phone as people read it: {}",
        to_manager[0]
    );
    let (_, list) = env.api("GET", "/callback-requests", None).await;
    assert_eq!(list["callback_requests"][0]["state"], "manager_notified");
}

#[tokio::test]
async fn without_a_manager_in_telegram_the_reply_says_what_really_happens() {
    let env = world(false).await;
    env.deliver(&updates::text(80, ANNA, texts::BTN_CALL_ME.ru)).await;
    assert_eq!(last_text(&env, CHAT), texts::CALL_ME_RECORDED.ru);
    env.run_notifier().await;
    let (_, list) = env.api("GET", "/callback-requests", None).await;
    assert_eq!(list["callback_requests"].as_array().unwrap().len(), 1, "still recorded");
    assert_eq!(list["callback_requests"][0]["state"], "new");
}

#[tokio::test]
async fn a_long_list_is_paged() {
    let env = world(true).await;
    let mut ids = vec![];
    for i in 0..8 {
        ids.push(ticket(&env, "c1", &format!("Заявка {i}"), json!({})).await);
    }
    let first_page = open_list(&env, 90, ANNA, texts::BTN_STATUS.ru).await;
    assert_eq!(first_page.len(), 7, "six tickets and «forward»");
    assert_eq!(first_page[6].0, texts::BTN_NEXT_PAGE.ru);
    assert_eq!(first_page[0].0, format!("#{} Заявка 7", ids[7]));
    env.deliver(&updates::callback(91, ANNA, &first_page[6].1)).await;
    let second_page = env.telegram.messages_to(CHAT).pop().unwrap().inline_buttons();
    let labels: Vec<&str> = second_page.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [format!("#{} Заявка 1", ids[1]).as_str(), &format!("#{} Заявка 0", ids[0]), texts::BTN_PREV_PAGE.ru]
    );
}

#[tokio::test]
async fn an_open_call_back_request_is_not_sent_twice_until_staff_close_it() {
    let env = world(true).await;
    env.deliver(&updates::text(90, ANNA, texts::BTN_CALL_ME.ru)).await;
    assert_eq!(last_text(&env, CHAT), texts::CALL_ME_NOTIFIED.ru);
    env.run_notifier().await;
    env.deliver(&updates::text(91, ANNA, texts::BTN_CALL_ME.ru)).await;
    assert_eq!(last_text(&env, CHAT), texts::CALL_ME_STANDING.ru, "told that the request stands");
    env.run_notifier().await;
    assert_eq!(env.telegram.texts_to(MANAGER as i64).len(), 1, "the manager is asked once");

    let (status, open) = env.api("GET", "/callback-requests?state=open", None).await;
    assert_eq!(status, 200, "{open}");
    let requests = open["callback_requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "one request: {open}");
    assert_eq!(open["next_cursor"], serde_json::Value::Null);
    let id = requests[0]["id"].as_str().unwrap().to_owned();
    let path = format!("/callback-requests/{id}");

    for (body, why) in [
        (json!({"state": "new"}), "only done"),
        (json!({"state": "done", "done": true}), "an unknown field"),
        (json!({"state": true}), "a wrong type"),
    ] {
        assert_eq!(env.api("PATCH", &path, Some(body)).await.0, 422, "{why}");
    }
    assert_eq!(env.api("PATCH", "/callback-requests/r404", Some(json!({"state": "done"}))).await.0, 404);
    let (status, done) = env.api("PATCH", &path, Some(json!({"state": "done", "by": "e1"}))).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!((done["state"].as_str(), done["done_by"].as_str()), (Some("done"), Some("employee:e1")));
    let (status, again) = env.api("PATCH", &path, Some(json!({"state": "done"}))).await;
    assert_eq!((status, &again["done_by"], &again["done_at"]), (200, &done["done_by"], &done["done_at"]), "idempotent");
    let (_, open) = env.api("GET", "/callback-requests?state=open", None).await;
    assert_eq!(open["callback_requests"], json!([]), "nothing open");
    let (_, closed) = env.api("GET", "/callback-requests?state=done", None).await;
    assert_eq!(closed["callback_requests"][0]["id"], id.as_str());

    // Closed: asking again is a new request, and the manager hears of it.
    env.deliver(&updates::text(92, ANNA, texts::BTN_CALL_ME.ru)).await;
    assert_eq!(last_text(&env, CHAT), texts::CALL_ME_NOTIFIED.ru);
    env.run_notifier().await;
    assert_eq!(env.telegram.texts_to(MANAGER as i64).len(), 2, "a new request reaches the manager");
    let (_, all) = env.api("GET", "/callback-requests", None).await;
    assert_eq!(all["callback_requests"].as_array().unwrap().len(), 2);
}
