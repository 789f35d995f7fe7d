//! The store's conformance tests: the same cases (`cases.rs`) against every back end
//! (memory here; SQLite and DynamoDB on dynalite beside it).

mod cases;
mod dynalite;
mod dynamodb;

#[tokio::test]
async fn memory_store_conforms() {
    let store = polyrun_store::MemoryStore::default();
    cases::all(&store).await;
}
