//! Rating completed tickets (CSAT), end to end: the «done» notice's score buttons, a press
//! stored and shown by the staff API, a low score told to the assignee and the manager, a
//! forged or late press refused, the summary per assignee.

use e2e::{updates, TestEnv};
use serde_json::json;
use shared::texts;

const ANNA: u64 = 5001; // contact c1 of k1 (manager e1)
const CHAT: i64 = ANNA as i64;
const BORIS: u64 = 5002; // contact c2 of k1
const MANAGER: u64 = 7001; // e1
const ENGINEER: u64 = 7002; // e2

async fn world() -> TestEnv {
    let env = TestEnv::new().await;
    env.registered_contact(ANNA).await;
    env.registered_second_contact(BORIS).await;
    env.deliver(&updates::contact(3, MANAGER, "79991112233", Some(MANAGER))).await;
    env.registered_engineer(ENGINEER).await;
    env.run_notifier().await;
    env.telegram.clear();
    env
}

/// A ticket of Анна's, assigned to e2 and done; the notices sent.
async fn done_ticket(env: &TestEnv) -> u64 {
    let body = json!({"contact_id": "c1", "subject": "Не работает почта", "source": "phone", "assignee_id": "e2"});
    let (status, created) = env.api("POST", "/tickets", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_u64().unwrap();
    let (status, _) = env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "done"}))).await;
    assert_eq!(status, 200);
    env.run_notifier().await;
    id
}

/// The text of the last answer to a button press.
fn last_press_answer(env: &TestEnv) -> Option<String> {
    let answer = env.telegram.calls().into_iter().rfind(|c| c.method == "answerCallbackQuery")?;
    answer.params["text"].as_str().map(str::to_owned)
}

async fn rating_of(env: &TestEnv, id: u64) -> serde_json::Value {
    let (status, ticket) = env.api("GET", &format!("/tickets/{id}"), None).await;
    assert_eq!(status, 200);
    ticket["rating"].clone()
}

#[tokio::test]
async fn a_press_is_stored_shown_changed_and_summarised() {
    let env = world().await;
    let id = done_ticket(&env).await;
    assert_eq!(rating_of(&env, id).await, serde_json::Value::Null, "not rated yet");

    env.webhook_requests.reset();
    env.deliver(&updates::callback(20, ANNA, &format!("rt:{id}:4"))).await;
    assert_eq!(env.webhook_requests.get(), 3, "the user, the ticket, one transaction");
    let thanks = texts::fill(texts::RATING_THANKS.ru, &[("id", &id.to_string()), ("stars", &texts::stars(4))]);
    assert_eq!(env.telegram.texts_to(CHAT).pop().as_deref(), Some(thanks.as_str()));
    assert_eq!(last_press_answer(&env).as_deref(), Some(texts::rating_thanks(4, shared::texts::Lang::Ru).as_str()));
    let rating = rating_of(&env, id).await;
    assert_eq!(rating["score"], 4);
    assert!(rating["at"].is_string());

    env.deliver(&updates::callback(21, ANNA, &format!("rt:{id}:5"))).await;
    let changed = texts::fill(texts::RATING_CHANGED.ru, &[("id", &id.to_string()), ("stars", &texts::stars(5))]);
    assert_eq!(env.telegram.texts_to(CHAT).pop().as_deref(), Some(changed.as_str()));
    assert_eq!(rating_of(&env, id).await["score"], 5, "the latest score");
    let (_, ticket) = env.api("GET", &format!("/tickets/{id}"), None).await;
    let rated: Vec<&str> = ticket["journal"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "rated")
        .map(|e| e["details"].as_str().unwrap())
        .collect();
    assert_eq!(rated, ["4", "4 → 5"], "each score journaled");
    assert_eq!(
        ticket["journal"].as_array().unwrap().iter().find(|e| e["event"] == "rated").unwrap()["by"],
        "client:c1"
    );

    let (_, listed) = env.api("GET", "/tickets?rated=true", None).await;
    assert_eq!(listed["tickets"].as_array().unwrap().len(), 1);
    assert_eq!(listed["tickets"][0]["id"], id);
    let (_, unrated) = env.api("GET", "/tickets?rated=false", None).await;
    assert_eq!(unrated["tickets"], json!([]));

    let today = chrono::Utc::now().date_naive();
    let (from, to) = (today.to_string(), (today + chrono::Days::new(1)).to_string());
    let (status, summary) = env.api("GET", &format!("/ratings/summary?from={from}&to={to}"), None).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!((summary["count"].as_u64(), summary["average"].as_f64()), (Some(1), Some(5.0)));
    assert_eq!(
        summary["assignees"],
        json!([{"assignee": {"id": "e2", "name": "Пётр Иванов"}, "count": 1, "average": 5.0}])
    );
    for query in [
        "from=2026-01-01",
        "from=2026-01-01&to=2025-01-01",
        "from=2020-01-01&to=2026-01-01",
        "from=x&to=y",
        "from=2026-01-01&to=2026-02-01&by=e2",
    ] {
        assert_eq!(env.api("GET", &format!("/ratings/summary?{query}"), None).await.0, 422, "{query}");
    }
}

#[tokio::test]
async fn only_the_tickets_contact_rates_it_and_only_when_completed() {
    let env = world().await;
    let id = done_ticket(&env).await;
    // Борис forges a press on Анна's ticket: nothing changes, nothing is told about it.
    env.deliver(&updates::callback(30, BORIS, &format!("rt:{id}:1"))).await;
    assert_eq!(last_press_answer(&env).as_deref(), Some(texts::BUTTON_STALE.ru));
    assert_eq!(rating_of(&env, id).await, serde_json::Value::Null, "a forged rating changes nothing");
    env.run_notifier().await;
    assert!(env.telegram.texts_to(ENGINEER as i64).is_empty(), "and tells nobody");

    // Worked on again: rating is closed until it is done again.
    env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "in_progress"}))).await;
    env.deliver(&updates::callback(31, ANNA, &format!("rt:{id}:3"))).await;
    assert_eq!(last_press_answer(&env).as_deref(), Some(texts::RATING_CLOSED.ru));
    assert_eq!(rating_of(&env, id).await, serde_json::Value::Null);
    // A score outside 1–5 is not a button the bot drew.
    env.deliver(&updates::callback(32, ANNA, &format!("rt:{id}:9"))).await;
    assert_eq!(last_press_answer(&env).as_deref(), Some(texts::BUTTON_STALE.ru));
}

#[tokio::test]
async fn the_done_notice_asks_for_a_score_and_a_low_one_reaches_the_assignee_and_the_manager() {
    let env = world().await;
    let id = done_ticket(&env).await;
    let to_anna = env.telegram.messages_to(CHAT);
    let done = fill_done();
    let notice = to_anna.iter().find(|m| m.text().is_some_and(|t| t.contains(&done))).expect("the done notice");
    assert!(notice.inline_buttons().is_empty(), "the notice sets the menu: {notice:?}");
    let ask = to_anna.last().expect("the request to rate");
    assert!(ask.text().unwrap().contains(texts::RATING_ASK.ru), "{ask:?}");
    let buttons = ask.inline_buttons();
    let labels: Vec<&str> = buttons.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(labels, ["⭐ 1", "⭐ 2", "⭐ 3", "⭐ 4", "⭐ 5"]);
    assert_eq!(buttons[1].1, format!("rt:{id}:2"));

    // The client presses «⭐ 2» on the notice itself.
    env.telegram.clear();
    env.deliver(&updates::callback(40, ANNA, &buttons[1].1)).await;
    assert_eq!(rating_of(&env, id).await["score"], 2);
    env.run_notifier().await;
    for (who, chat) in [("the assignee", ENGINEER), ("the manager", MANAGER)] {
        let told = env.telegram.texts_to(chat as i64);
        assert_eq!(told.len(), 1, "{who}: {told:?}");
        assert!(
            told[0].contains(&format!("#{id}")) && told[0].contains("Анна") && told[0].contains("2 из 5"),
            "{who}: {told:?}"
        );
    }
    assert!(env.telegram.texts_to(CHAT).iter().all(|t| !t.contains("из 5")), "the client is not told of it again");
    // A good score afterwards tells nobody, and nor does a low one again: staff hear of a low
    // score once a completion, however often the client changes it (⭐2 → ⭐5 → ⭐1 paged them twice).
    env.telegram.clear();
    env.deliver(&updates::callback(41, ANNA, &buttons[4].1)).await;
    env.run_notifier().await;
    env.deliver(&updates::callback(42, ANNA, &buttons[0].1)).await;
    assert_eq!(rating_of(&env, id).await["score"], 1);
    env.run_notifier().await;
    assert!(env.telegram.texts_to(ENGINEER as i64).is_empty() && env.telegram.texts_to(MANAGER as i64).is_empty());
    // Closing the done ticket asks for no second score.
    env.deliver(&updates::callback(43, ANNA, &buttons[4].1)).await;
    env.api("PATCH", &format!("/tickets/{id}"), Some(json!({"status": "closed"}))).await;
    env.run_notifier().await;
    assert!(env.telegram.texts_to(ENGINEER as i64).is_empty() && env.telegram.texts_to(MANAGER as i64).is_empty());
    assert!(env.telegram.messages_to(CHAT).iter().all(|m| m.inline_buttons().is_empty()), "no second request");
}

/// The line of the «done» notice.
fn fill_done() -> String {
    texts::fill(texts::NOTICE_DONE.ru, &[("status", "Выполнен")])
}

/// A score changed in the month after the first one moves to that month: the transaction puts
/// the new month's rating and deletes the previous month's (a `Delete` the webhook's policy
/// must allow: DynamoDB Local would take it either way, the local proxy holds it to the
/// template as AWS does).
#[tokio::test]
async fn a_score_changed_in_the_next_month_counts_in_that_month_only() {
    use shared::dynamo::{attr, keys};
    let env = world().await;
    let id = done_ticket(&env).await;
    // Done on 29 November: both presses below fall within the week rating stays open.
    let done_at: chrono::DateTime<chrono::Utc> = "2026-11-29T12:00:00Z".parse().unwrap();
    let key = keys::ticket(id);
    env.dynamodb
        .update_item()
        .table_name(&env.config.tickets_table)
        .key("pk", attr::s(key.pk))
        .key("sk", attr::s(key.sk))
        .update_expression("SET completed_at = :at")
        .expression_attribute_values(":at", attr::time(done_at))
        .send()
        .await
        .unwrap();
    let press = |update_id, score, at: &str| {
        let at: chrono::DateTime<chrono::Utc> = at.parse().unwrap();
        let body = serde_json::to_vec(&updates::callback(update_id, ANNA, &format!("rt:{id}:{score}"))).unwrap();
        let webhook = &env.webhook;
        async move { webhook.answer(Some(e2e::WEBHOOK_SECRET.as_bytes()), &body, at).await }
    };
    let first = press(50, 2, "2026-11-30T09:00:00Z").await;
    assert_eq!(first.status, 200);
    let changed = press(51, 5, "2026-12-01T09:00:00Z").await;
    assert_eq!(changed.status, 200);
    let said = changed.body.expect("the answer rides in the response")["text"].as_str().unwrap_or_default().to_owned();
    let expected = texts::fill(texts::RATING_CHANGED.ru, &[("id", &id.to_string()), ("stars", &texts::stars(5))]);
    assert_eq!(said, expected, "the change is saved, not refused");
    assert_eq!(rating_of(&env, id).await["score"], 5);
    let summary = |from: &'static str, to: &'static str| {
        let env = &env;
        async move {
            let (status, summary) = env.api("GET", &format!("/ratings/summary?from={from}&to={to}"), None).await;
            assert_eq!(status, 200, "{summary}");
            summary["count"].as_u64()
        }
    };
    assert_eq!(summary("2026-11-01", "2026-12-01").await, Some(0), "November no longer counts it");
    assert_eq!(summary("2026-12-01", "2027-01-01").await, Some(1), "December does, once");
}
