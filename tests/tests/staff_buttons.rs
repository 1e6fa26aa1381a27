//! Staff work tickets from Telegram, end to end (the webhook, the staff API, the TicketsTable
//! stream and the notifier against DynamoDB Local, moto's S3 and the fake Telegram): «🙋 Взять
//! себе», «▶️ В работу» and «✅ Выполнено» on staff notices and cards change the ticket as
//! `PATCH /tickets/{id}` does, the client hears of it as of any staff change, and a press that is
//! not the presser's to make, or whose moment has passed, changes nothing.

use e2e::{updates, TestEnv};
use serde_json::{json, Value};
use shared::domain::TicketStatus;
use shared::texts;

const ANNA: u64 = 5001; // contact c1 of k1 «ООО Ромашка», whose manager is e1
const IVAN: u64 = 7001; // employee e1, k1's manager
const PETR: u64 = 7002; // employee e2, an engineer
const STRANGER: u64 = 9009;

fn filled(template: &str, id: u64) -> String {
    texts::fill(template, &[("id", &id.to_string())])
}

/// Анна registered with k1 made VIP, Иван (its manager) and Пётр linked; nothing sent yet.
async fn desk() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    let vip = json!({"name": "ООО Ромашка", "manager_id": "e1", "vip": true});
    assert_eq!(env.api("PUT", "/clients/k1", Some(vip)).await.0, 200);
    env.deliver(&updates::contact(3, IVAN, "79991112233", Some(IVAN))).await;
    env.registered_engineer(PETR).await;
    env.telegram.clear();
    env
}

/// Анна writes a ticket in the bot; returns its id once the notices of it are sent.
async fn annas_ticket(env: &TestEnv, update_id: u64, text: &str) -> u64 {
    env.deliver(&updates::text(update_id, ANNA, texts::BTN_NEW_TICKET.ru)).await;
    env.deliver(&updates::text(update_id + 1, ANNA, text)).await;
    let id = env.tickets_of("c1").await.iter().find(|t| t.subject == text).expect("the ticket").id;
    env.run_notifier().await;
    id
}

/// The last message to `chat` that carries buttons: (its id, its buttons).
fn last_buttons(env: &TestEnv, chat: u64) -> (i64, Vec<(String, String)>) {
    let message = env.telegram.messages_to(chat as i64).into_iter().rev().find(|m| !m.inline_buttons().is_empty());
    let message = message.expect("a message with buttons");
    (message.message_id.unwrap(), message.inline_buttons())
}

/// `from`'s press of `data` on message `message` of their chat, as Telegram sends it (with
/// the message's buttons as they are).
fn press(env: &TestEnv, update_id: u64, from: u64, data: &str, message: i64) -> Value {
    let mut update = updates::press_on(update_id, from, data, message);
    update["callback_query"]["message"]["reply_markup"] = env.telegram.markup_of(from as i64, message);
    update
}

/// The `callback_data` of the button labelled `label`.
fn data_of(buttons: &[(String, String)], label: &str) -> String {
    let found = buttons.iter().find(|(l, _)| l == label);
    found.unwrap_or_else(|| panic!("no «{label}» among {buttons:?}")).1.clone()
}

/// The labels of the buttons that are pressed (not the desk's link).
fn labels(buttons: &[(String, String)]) -> Vec<&str> {
    buttons.iter().filter(|(_, data)| !data.is_empty()).map(|(label, _)| label.as_str()).collect()
}

async fn ticket_json(env: &TestEnv, id: u64) -> Value {
    let (status, ticket) = env.api("GET", &format!("/tickets/{id}"), None).await;
    assert_eq!(status, 200, "{ticket}");
    ticket
}

#[tokio::test]
async fn a_manager_takes_a_vip_ticket_from_its_notice_and_the_client_is_told() {
    let env = desk().await;
    let id = annas_ticket(&env, 10, "Не работает принтер").await;
    let (notice, buttons) = last_buttons(&env, IVAN);
    assert_eq!(labels(&buttons), [texts::BTN_TAKE.ru, texts::BTN_CARD.ru], "the VIP ticket's notice");

    let update = press(&env, 20, IVAN, &data_of(&buttons, texts::BTN_TAKE.ru), notice);
    env.telegram.clear();
    env.deliver(&update).await;
    assert_eq!(env.telegram.press_answers(), [filled(texts::STAFF_TAKEN.ru, id)]);
    let redrawn = env.telegram.buttons_of(IVAN as i64, notice);
    assert_eq!(labels(&redrawn), [texts::BTN_DONE.ru, texts::BTN_CARD.ru], "now his, in progress");
    assert_eq!(redrawn.last().unwrap().0, texts::BTN_OPEN_TICKET.ru, "the desk's link is kept");

    let ticket = env.ticket(id).await;
    assert_eq!((ticket.ticket.assignee_id.as_deref(), ticket.ticket.status), (Some("e1"), TicketStatus::InProgress));
    let by_ivan: Vec<&str> =
        ticket.journal.iter().filter(|e| e.by.code() == "employee:e1").map(|e| e.event.as_str()).collect();
    assert_eq!(by_ivan, ["status_changed", "assignee_changed"], "journaled as a PATCH by him");

    env.run_notifier().await;
    let told = env.telegram.texts_to(ANNA as i64);
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(told[0].contains("В работе") && told[0].contains("Иван Петров"), "{told:?}");
}

#[tokio::test]
async fn the_assignee_starts_and_finishes_from_a_comment_notice_and_the_client_rates() {
    let env = desk().await;
    let body = json!({"contact_id": "c1", "subject": "Замена картриджа", "source": "email", "assignee_id": "e2"});
    let (status, created) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_u64().unwrap();
    env.run_notifier().await;
    let to_anna = env.telegram.messages_to(ANNA as i64).pop().expect("the creation notice");
    let quoted = to_anna.text().unwrap().to_owned();
    env.deliver(&updates::reply(30, ANNA, "Картридж в шкафу", to_anna.message_id.unwrap(), &quoted)).await;
    env.run_notifier().await;
    let (notice, buttons) = last_buttons(&env, PETR);
    assert_eq!(labels(&buttons), [texts::BTN_START.ru, texts::BTN_CARD.ru], "a new ticket of his");

    env.telegram.clear();
    env.deliver(&press(&env, 31, PETR, &data_of(&buttons, texts::BTN_START.ru), notice)).await;
    let buttons = env.telegram.buttons_of(PETR as i64, notice);
    assert_eq!(labels(&buttons), [texts::BTN_DONE.ru, texts::BTN_CARD.ru]);
    env.deliver(&press(&env, 32, PETR, &data_of(&buttons, texts::BTN_DONE.ru), notice)).await;
    assert_eq!(env.telegram.press_answers(), [filled(texts::STAFF_STARTED.ru, id), filled(texts::STAFF_DONE.ru, id)]);
    assert_eq!(labels(&env.telegram.buttons_of(PETR as i64, notice)), [texts::BTN_CARD.ru], "done: no actions");
    assert_eq!(ticket_json(&env, id).await["status"], "done");

    env.telegram.clear();
    env.run_notifier().await;
    let told = env.telegram.messages_to(ANNA as i64);
    assert!(told.iter().any(|m| m.text().unwrap().contains("В работе")), "the start");
    let rating = told.last().expect("the rating request");
    assert!(rating.text().unwrap().contains(texts::RATING_ASK.ru), "{:?}", rating.text());
    let stars = rating.inline_buttons();
    assert_eq!(stars.len(), 5, "{stars:?}");
    env.deliver(&updates::callback(33, ANNA, &stars[4].1)).await;
    assert_eq!(ticket_json(&env, id).await["rating"]["score"], 5);
}

#[tokio::test]
async fn clients_strangers_deactivated_staff_and_stale_messages_change_nothing() {
    let env = desk().await;
    let id = annas_ticket(&env, 10, "Нет интернета").await;
    let (notice, buttons) = last_buttons(&env, IVAN);
    let take = data_of(&buttons, texts::BTN_TAKE.ru);
    let before = ticket_json(&env, id).await;

    // Анна (a client) and a stranger press the same data.
    env.deliver(&press(&env, 20, ANNA, &take, 1)).await;
    env.deliver(&press(&env, 21, STRANGER, &take, 1)).await;
    assert_eq!(ticket_json(&env, id).await, before, "a client's or a stranger's press");
    assert_eq!(env.telegram.texts_to(STRANGER as i64), [texts::REGISTER_PROMPT.ru]);

    // Forged data: another ticket's version, an action Иван may not take, garbage.
    for (update_id, data) in [(22, format!("sf:take:{id}:99")), (23, format!("sf:done:{id}:1")), (24, "sf:x".into())] {
        env.deliver(&updates::press_on(update_id, IVAN, &data, notice)).await;
    }
    assert_eq!(ticket_json(&env, id).await, before, "forged presses");

    // The ticket changes meanwhile (a deadline through the API): the old notice's press is stale,
    // and Иван gets the card as it is now, with what it offers him now.
    let patch = json!({"deadline": "2026-12-31T12:00:00Z"});
    assert_eq!(env.api("PATCH", &format!("/tickets/{id}"), Some(patch)).await.0, 200);
    let changed = ticket_json(&env, id).await;
    env.telegram.clear();
    env.deliver(&press(&env, 25, IVAN, &take, notice)).await;
    assert_eq!(ticket_json(&env, id).await, changed, "a stale press");
    assert_eq!(env.telegram.press_answers(), [filled(texts::STAFF_STALE.ru, id)]);
    let (_, card) = last_buttons(&env, IVAN);
    assert!(card[0].1.ends_with(&format!(":{id}:2")), "drawn for the version now: {card:?}");

    // Пётр takes it first, from the card (`/tickets` is his, the card anyone's on the desk):
    // Иван's press is stale, and as the client's manager he may still take it over.
    env.deliver(&updates::callback(26, PETR, &format!("cd:{id}"))).await;
    let (petrs_card, petrs) = last_buttons(&env, PETR);
    env.deliver(&press(&env, 27, PETR, &data_of(&petrs, texts::BTN_TAKE.ru), petrs_card)).await;
    assert_eq!(ticket_json(&env, id).await["assignee"]["id"], "e2");
    let petrs = env.telegram.buttons_of(PETR as i64, petrs_card);
    assert_eq!(labels(&petrs), [texts::BTN_DONE.ru, texts::BTN_CARD.ru]);
    env.telegram.clear();
    env.webhook_requests.reset();
    env.deliver(&press(&env, 28, IVAN, &data_of(&card, texts::BTN_TAKE.ru), notice)).await;
    assert_eq!(env.webhook_requests.get(), 3, "the user, the ticket, the client (is he its manager?)");
    assert_eq!(ticket_json(&env, id).await["assignee"]["id"], "e2", "taken first by Пётр");
    let (_, now) = last_buttons(&env, IVAN);
    assert_eq!(labels(&now), [texts::BTN_TAKE.ru, texts::BTN_CARD.ru], "the manager may take it over");

    // Пётр is deactivated: his buttons do nothing any more.
    let inactive = json!({"name": "Пётр Иванов", "phone": "+7 999 222-33-44", "active": false});
    assert_eq!(env.api("PUT", "/employees/e2", Some(inactive)).await.0, 200);
    let before = ticket_json(&env, id).await;
    env.deliver(&press(&env, 29, PETR, &data_of(&petrs, texts::BTN_DONE.ru), petrs_card)).await;
    assert_eq!(ticket_json(&env, id).await, before, "a deactivated employee's press");
}

#[tokio::test]
async fn a_redelivered_press_changes_the_ticket_once() {
    let env = desk().await;
    let id = annas_ticket(&env, 10, "Сломался стул").await;
    let (notice, buttons) = last_buttons(&env, IVAN);
    let update = press(&env, 20, IVAN, &data_of(&buttons, texts::BTN_TAKE.ru), notice);
    env.webhook_requests.reset();
    env.deliver(&update).await;
    assert_eq!(env.webhook_requests.get(), 3, "the user, the ticket, one transaction");
    env.deliver(&update).await;
    let ticket = env.ticket(id).await;
    assert_eq!(ticket.ticket.version, 2, "one change");
    assert_eq!(ticket.journal.iter().filter(|e| e.event == "assignee_changed").count(), 1);
    env.telegram.clear();
    env.run_notifier().await;
    assert_eq!(env.telegram.messages_to(ANNA as i64).len(), 1, "told once");
}

#[tokio::test]
async fn tickets_lists_an_employees_open_tickets_and_opens_their_cards() {
    let env = desk().await;
    for (subject, status) in [("Первая", None), ("Вторая", None), ("Готовая", Some("done"))] {
        let body = json!({"contact_id": "c1", "subject": subject, "source": "phone", "assignee_id": "e2"});
        let (code, created) = env.api("POST", "/tickets", Some(body)).await;
        assert_eq!(code, 201, "{created}");
        if let Some(status) = status {
            let path = format!("/tickets/{}", created["id"]);
            assert_eq!(env.api("PATCH", &path, Some(json!({"status": status}))).await.0, 200);
        }
    }
    env.telegram.clear();
    env.deliver(&updates::text(40, PETR, "/tickets")).await;
    let (_, list) = last_buttons(&env, PETR);
    let subjects: Vec<&str> = list.iter().map(|(label, _)| label.split_once(' ').unwrap().1).collect();
    assert_eq!(subjects, ["Вторая", "Первая"], "open ones, newest first");

    env.deliver(&updates::callback(41, PETR, &list[0].1)).await;
    let card = env.telegram.messages_to(PETR as i64).pop().unwrap();
    assert!(card.text().unwrap().contains("Вторая"), "{:?}", card.text());
    assert_eq!(labels(&card.inline_buttons()), [texts::BTN_START.ru, texts::BTN_CARD.ru]);

    // Иван has none; `/help` tells an employee what they can do here.
    env.deliver(&updates::text(42, IVAN, "/tickets")).await;
    env.deliver(&updates::text(43, IVAN, "/help")).await;
    assert_eq!(env.telegram.texts_to(IVAN as i64), [texts::NO_ASSIGNED_TICKETS.ru, texts::EMPLOYEE_HELP.ru]);
}
