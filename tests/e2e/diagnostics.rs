//! The diagnostics page's burst form.

use crate::{harness::ServerOptions, pages::App};

#[tokio::test]
async fn a_burst_size_out_of_range_is_refused_in_the_page_and_a_valid_one_runs() {
    let (_server, app) = App::logged_in(ServerOptions::default(), "alice", "alice123").await;
    app.click("nav-item-diagnostics").await;
    app.find("diagnostics").await;

    // The browser's own check would block the form before the page's.
    app.fill("burst-size", "0").await;
    app.find("burst-invalid").await;
    app.click("burst-run").await;

    app.fill("burst-size", "3").await;
    app.wait_until("the error to go", || async {
        !app.is_present("burst-invalid").await
    })
    .await;
    app.click("burst-run").await;
    let result = app.find("burst-result").await;
    assert_eq!(
        result.attr("data-calls").await.unwrap().as_deref(),
        Some("3")
    );
    assert_eq!(
        result.attr("data-run").await.unwrap().as_deref(),
        Some("1"),
        "the refused size ran nothing"
    );
}
