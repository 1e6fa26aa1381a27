//! The webhook registrar custom resource against the fake Telegram and a fake CloudFormation
//! response URL.

use axum::routing::put;
use e2e::fake_telegram::FakeTelegram;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// A response URL that records what the custom resource reported.
async fn response_url() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen = Arc::new(Mutex::new(vec![]));
    let store = seen.clone();
    let app = axum::Router::new().route(
        "/response",
        put(move |body: axum::body::Bytes| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(Value::Null));
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/response", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn request(kind: &str, response_url: &str) -> Value {
    request_in(kind, response_url, "ru")
}

/// A request of a stack whose `DefaultLanguage` is `default_language`.
fn request_in(kind: &str, response_url: &str, default_language: &str) -> Value {
    let mut request = json!({
        "RequestType": kind,
        "RequestId": "req-1",
        "ResponseURL": response_url,
        "ResourceType": "Custom::TelegramWebhook",
        "LogicalResourceId": "TelegramWebhook",
        "StackId": "arn:aws:cloudformation:eu-central-1:123456789012:stack/desk/1",
        "ServiceToken": "arn:aws:lambda:eu-central-1:123456789012:function:registrar",
        "ResourceProperties": {
            "ServiceToken": "x",
            "WebhookUrl": "https://abc.lambda-url.eu-central-1.on.aws/",
            "DefaultLanguage": default_language,
            "MaxConnections": "20"
        }
    });
    if kind != "Create" {
        request["PhysicalResourceId"] = json!("telegram-webhook-TelegramWebhook");
    }
    if kind == "Update" {
        request["OldResourceProperties"] = json!({"WebhookUrl": "https://old.example/"});
    }
    request
}

fn registrar(telegram: &FakeTelegram, token: &str) -> registrar::Registrar {
    let messenger = shared::telegram::TelegramMessenger::with_timeouts(&telegram.url, token, e2e::TEST_TIMEOUTS);
    registrar::Registrar {
        telegram: messenger.expect("an HTTP client"),
        secret_token: shared::config::Secret::new(e2e::WEBHOOK_SECRET),
        http: registrar::response_client().expect("an HTTP client"),
    }
}

#[tokio::test]
async fn deploys_register_the_webhook_with_its_secret_and_the_commands_and_deletes_remove_them() {
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    let (url, reported) = response_url().await;
    let registrar = registrar(&telegram, e2e::BOT_TOKEN);
    for kind in ["Create", "Update", "Delete"] {
        registrar.handle(serde_json::from_value(request(kind, &url)).unwrap()).await.unwrap();
    }
    let calls = telegram.calls();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            "setWebhook",
            "setMyCommands",
            "setMyCommands",
            "setWebhook",
            "setMyCommands",
            "setMyCommands",
            "deleteWebhook",
            "deleteMyCommands",
            "deleteMyCommands"
        ]
    );
    assert_eq!(calls[0].params["url"], "https://abc.lambda-url.eu-central-1.on.aws/");
    assert_eq!(calls[0].params["secret_token"], e2e::WEBHOOK_SECRET);
    assert_eq!(
        calls[0].params["allowed_updates"],
        json!(["message", "edited_message", "callback_query", "my_chat_member"])
    );
    assert_eq!(calls[0].params["max_connections"], 20, "the webhook's reserved concurrency");
    // The chat's command list, in Russian, for every user (no scope, no language).
    let commands = &calls[1].params;
    assert_eq!(commands.get("scope"), None);
    assert_eq!(commands.get("language_code"), None);
    let listed = |commands: &serde_json::Value| -> Vec<(String, String)> {
        commands["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["command"].as_str().unwrap().to_owned(), c["description"].as_str().unwrap().to_owned()))
            .collect()
    };
    let expected = |pairs: [(&str, &str); 5]| pairs.map(|(c, d)| (c.to_owned(), d.to_owned())).to_vec();
    assert_eq!(
        listed(commands),
        expected([
            ("start", "Начать работу с ботом"),
            ("menu", "Главное меню и что делает каждая кнопка"),
            ("tickets", "Мои открытые обращения"),
            ("help", "Что умеет бот"),
            ("language", "Язык бота: русский или английский"),
        ])
    );
    // And in English for users whose Telegram speaks English.
    let english = &calls[2].params;
    assert_eq!(english["language_code"], "en");
    assert_eq!(
        listed(english),
        expected([
            ("start", "Start using the bot"),
            ("menu", "Main menu and what each button does"),
            ("tickets", "My open requests"),
            ("help", "What the bot can do"),
            ("language", "The bot's language: English or Russian"),
        ])
    );
    assert_eq!(calls[8].params["language_code"], "en", "both lists removed");
    let reported = reported.lock().unwrap().clone();
    assert_eq!(reported.len(), 3);
    assert!(reported.iter().all(|r| r["Status"] == "SUCCESS" && r["RequestId"] == "req-1"), "{reported:?}");
    assert_eq!(reported[2]["PhysicalResourceId"], "telegram-webhook-TelegramWebhook");
}

/// The stack's resource lists the commands the registrar registers: a change of the list
/// changes the resource, and CloudFormation runs the registration again.
#[test]
fn the_template_lists_the_commands_the_registrar_registers() {
    let text = std::fs::read_to_string(e2e::localstack::workspace_root().join("template.yaml")).unwrap();
    let template: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let listed = template["Resources"]["TelegramWebhook"]["Properties"]["Commands"].as_str().unwrap();
    let registered: Vec<&str> = shared::dialogue::Command::LISTED.iter().map(|c| c.name()).collect();
    assert_eq!(listed, registered.join(" "));
}

/// Likewise the update kinds: a new kind in the code changes the resource, so the deploy
/// registers the webhook again and Telegram starts sending it.
#[test]
fn the_template_lists_the_update_kinds_the_registrar_registers() {
    let text = std::fs::read_to_string(e2e::localstack::workspace_root().join("template.yaml")).unwrap();
    let template: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let listed = template["Resources"]["TelegramWebhook"]["Properties"]["AllowedUpdates"].as_str().unwrap();
    let kinds = serde_json::to_value(shared::telegram::allowed_updates()).unwrap();
    let kinds: Vec<&str> = kinds.as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(listed, kinds.join(" "));
}

#[tokio::test]
async fn an_english_default_lists_the_commands_in_english_for_everyone_and_in_russian_for_russian_speakers() {
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    let (url, reported) = response_url().await;
    let registrar = registrar(&telegram, e2e::BOT_TOKEN);
    registrar.handle(serde_json::from_value(request_in("Create", &url, "en")).unwrap()).await.unwrap();
    let calls = telegram.calls();
    let lists: Vec<(Value, Value)> = calls
        .iter()
        .filter(|c| c.method == "setMyCommands")
        .map(|c| {
            (
                c.params.get("language_code").cloned().unwrap_or(Value::Null),
                c.params["commands"][0]["description"].clone(),
            )
        })
        .collect();
    assert_eq!(lists, [(Value::Null, json!("Start using the bot")), (json!("ru"), json!("Начать работу с ботом"))]);
    assert_eq!(reported.lock().unwrap()[0]["Status"], "SUCCESS");
}

#[tokio::test]
async fn a_refused_registration_fails_the_deploy_without_leaking_the_token() {
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    let (url, reported) = response_url().await;
    let wrong = "999:WRONG-secret-token";
    registrar(&telegram, wrong).handle(serde_json::from_value(request("Create", &url)).unwrap()).await.unwrap();
    let reported = reported.lock().unwrap().clone();
    assert_eq!(reported[0]["Status"], "FAILED");
    let reason = reported[0]["Reason"].as_str().unwrap();
    assert!(reason.contains("401"), "{reason}");
    assert!(!reason.contains(wrong) && !reported[0].to_string().contains("WRONG-secret"), "the token never leaks");
}

#[tokio::test]
async fn a_silent_telegram_fails_the_deploy_by_the_timeout_instead_of_holding_it() {
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    let (url, reported) = response_url().await;
    telegram.go_silent();
    let start = std::time::Instant::now();
    registrar(&telegram, e2e::BOT_TOKEN)
        .handle(serde_json::from_value(request("Create", &url)).unwrap())
        .await
        .unwrap();
    let took = start.elapsed();
    assert!(took >= e2e::TEST_TIMEOUTS.call && took < e2e::TEST_TIMEOUTS.call * 2, "{took:?}");
    let reported = reported.lock().unwrap().clone();
    assert_eq!(reported[0]["Status"], "FAILED");
    assert!(reported[0]["Reason"].as_str().unwrap().starts_with("setWebhook failed"), "{reported:?}");
}

/// Working hours the template's pattern lets through but the webhook cannot read fail the
/// deploy, with the reason, before anything is registered; good ones pass.
#[tokio::test]
async fn working_hours_the_webhook_cannot_read_fail_the_deploy_before_anything_is_registered() {
    for (hours, holidays, zone, refused) in [
        ("Sun-Thu 09:00-18:00", "", "Europe/Moscow", Some("Sun-Thu")),
        ("Mon-Fri 09:00 - 18:00", "", "Europe/Moscow", Some("WorkingHours")),
        ("Mon-Fri 09:00-18:00", "2027-13-01", "Europe/Moscow", Some("2027-13-01")),
        ("Mon-Fri 09:00-18:00", "", "Europe/Atlantis", Some("TimeZone")),
        // The functions read TIMEZONE as it is: a stray space would stop them at start.
        ("Mon-Fri 09:00-18:00", "", "Europe/Moscow ", Some("TimeZone")),
        ("Mon-Fri 09:00-18:00, Sat 10:00-14:00", "2027-01-01", "Europe/Moscow", None),
    ] {
        let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
        let (url, reported) = response_url().await;
        let mut request = request("Create", &url);
        let properties = &mut request["ResourceProperties"];
        properties["WorkingHours"] = json!(hours);
        properties["WorkingHolidays"] = json!(holidays);
        properties["TimeZone"] = json!(zone);
        registrar(&telegram, e2e::BOT_TOKEN).handle(serde_json::from_value(request).unwrap()).await.unwrap();
        let reported = reported.lock().unwrap().clone();
        match refused {
            Some(named) => {
                assert_eq!(reported[0]["Status"], "FAILED", "{hours:?} {holidays:?} {zone:?}");
                let reason = reported[0]["Reason"].as_str().unwrap();
                assert!(reason.contains(named), "{reason}");
                assert!(telegram.calls().is_empty(), "nothing registered: {:?}", telegram.calls());
            }
            None => assert_eq!(reported[0]["Status"], "SUCCESS", "{hours:?}: {reported:?}"),
        }
    }
}

/// The webhook check's input as the template's schedule passes it.
fn scheduled_check() -> registrar::Scheduled {
    serde_json::from_value(json!({
        "WebhookCheck": {"WebhookUrl": "https://abc.lambda-url.eu-central-1.on.aws/", "MaxConnections": "20"}
    }))
    .unwrap()
}

/// Telegram lost the webhook (someone called deleteWebhook with the bot's token, or polled it
/// with getUpdates): the check sets it again, as the deploy did, and says so.
#[tokio::test]
async fn the_check_sets_a_missing_webhook_again() {
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    let registrar = registrar(&telegram, e2e::BOT_TOKEN);
    let report = registrar.check(&scheduled_check().webhook_check, chrono::Utc::now()).await.unwrap();
    assert!(report.reset);
    let calls = telegram.calls();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["getWebhookInfo", "setWebhook"]);
    let set = &calls[1].params;
    assert_eq!(set["url"], "https://abc.lambda-url.eu-central-1.on.aws/");
    assert_eq!(set["secret_token"], e2e::WEBHOOK_SECRET);
    assert_eq!(set["max_connections"], 20);
    assert_eq!(set["allowed_updates"], json!(["message", "edited_message", "callback_query", "my_chat_member"]));

    // Another URL (a developer's tunnel, say) is replaced the same way; ours is left alone.
    telegram.set_webhook_info(Some("https://tunnel.example/"), 0, None);
    assert!(registrar.check(&scheduled_check().webhook_check, chrono::Utc::now()).await.unwrap().reset);
    telegram.clear();
    let report = registrar.check(&scheduled_check().webhook_check, chrono::Utc::now()).await.unwrap();
    assert!(!report.reset);
    assert_eq!(telegram.calls().len(), 1, "only the reading");
}

/// Updates piling up and Telegram's delivery errors become the metrics the alarms watch.
#[tokio::test]
async fn the_check_publishes_pending_updates_and_the_last_errors_age() {
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    let registrar = registrar(&telegram, e2e::BOT_TOKEN);
    let now = chrono::Utc::now();
    let failing_since = now.timestamp() - 120;
    telegram.set_webhook_info(
        Some("https://abc.lambda-url.eu-central-1.on.aws/"),
        42,
        Some((failing_since, "Wrong response from the webhook: 500 Internal Server Error")),
    );
    let report = registrar.check(&scheduled_check().webhook_check, now).await.unwrap();
    assert_eq!((report.pending_updates, report.last_error_age, report.reset), (42, Some(120), false));
    assert!(report.last_error.unwrap().contains("500"));
    let metrics: Vec<Value> =
        checked_lines(&registrar, now).await.iter().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(metrics[0]["TelegramPendingUpdates"], 42);
    assert_eq!(metrics[1]["WebhookLastErrorAge"], 120);
    assert_eq!(metrics[1]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Seconds");
    assert_eq!(metrics[2]["WebhookResets"], 0);

    // A healthy webhook: no pending updates is a reading too, and no error age is published.
    telegram.set_webhook_info(Some("https://abc.lambda-url.eu-central-1.on.aws/"), 0, None);
    let lines = checked_lines(&registrar, now).await;
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].contains("\"TelegramPendingUpdates\":0"), "{lines:?}");
}

/// A check's metrics, as it publishes them.
async fn checked_lines(registrar: &registrar::Registrar, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
    let report = registrar.check(&scheduled_check().webhook_check, now).await.unwrap();
    report.metric_lines(now.timestamp_millis())
}

/// A Telegram that refuses the token fails the check (the function's error alarm sees it); it
/// never touches the webhook function.
#[tokio::test]
async fn a_check_that_cannot_read_fails_with_the_reason_and_no_token() {
    let telegram = FakeTelegram::start(e2e::BOT_TOKEN).await;
    let registrar = registrar(&telegram, "123456:revoked");
    let error = registrar.check(&scheduled_check().webhook_check, chrono::Utc::now()).await.unwrap_err();
    assert!(error.contains("getWebhookInfo failed") && error.contains("401"), "{error}");
    assert!(!error.contains("revoked"), "never the token: {error}");
}

/// The schedule's input in template.yaml is what the function reads as a webhook check.
#[test]
fn the_template_schedules_the_check_with_the_webhook_as_deployed() {
    let text = std::fs::read_to_string(e2e::localstack::workspace_root().join("template.yaml")).unwrap();
    let template: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let event = &template["Resources"]["RegistrarFunction"]["Properties"]["Events"]["WebhookCheck"]["Properties"];
    assert_eq!(event["Schedule"].as_str(), Some("rate(5 minutes)"));
    let serde_yaml::Value::Tagged(sub) = &event["Input"] else { panic!("Input is a !Sub: {:?}", event["Input"]) };
    let input =
        sub.value[0].as_str().unwrap().replace("${Url}", "https://abc.example/").replace("${Connections}", "20");
    let check: registrar::Scheduled = serde_json::from_str(&input).unwrap();
    assert_eq!(check.webhook_check.webhook_url, "https://abc.example/");
    assert_eq!(check.webhook_check.max_connections.as_deref(), Some("20"));
    let payload: Value = serde_json::from_str(&input).unwrap();
    assert!(payload.get("RequestType").is_none(), "never taken for a CloudFormation request");
}
