"""bench/lighthouse/run.py's report handling: the committed reports lose their screenshots and the
session cookie and keep every score; the summary names the audits that cost points, not the passed ones."""
import json

from bench.lighthouse.run import below_one, redact_headers, scores, strip_screenshots

IMAGE = "data:image/jpeg;base64," + "A" * 5000


def report() -> dict:
    """The shape of a Lighthouse 12 report, cut down to what the runner reads."""
    audits = {
        "final-screenshot": {"score": None, "scoreDisplayMode": "informative", "title": "Final Screenshot",
                             "details": {"type": "screenshot", "data": IMAGE}},
        "screenshot-thumbnails": {"score": None, "scoreDisplayMode": "informative", "title": "Thumbnails",
                                  "details": {"type": "filmstrip", "items": [{"data": IMAGE}]}},
        "is-crawlable": {"score": 0, "scoreDisplayMode": "binary", "title": "Page is blocked from indexing"},
        "document-title": {"score": 1, "scoreDisplayMode": "binary", "title": "Document has a title"},
        "total-blocking-time": {"score": 0.93, "scoreDisplayMode": "numeric", "title": "Total Blocking Time",
                                "displayValue": "160 ms"},
        "uses-long-cache-ttl": {"score": 0.5, "scoreDisplayMode": "notApplicable", "title": "Cache"},
    }
    categories = {
        "performance": {"score": 0.98, "auditRefs": [{"id": "total-blocking-time", "weight": 30},
                                                     {"id": "final-screenshot", "weight": 0},
                                                     {"id": "uses-long-cache-ttl", "weight": 0}]},
        "accessibility": {"score": 1, "auditRefs": []},
        "best-practices": {"score": 1, "auditRefs": []},
        "seo": {"score": 0.63, "auditRefs": [{"id": "is-crawlable", "weight": 4.04},
                                             {"id": "document-title", "weight": 1}]},
    }
    return {"audits": audits, "categories": categories, "fullPageScreenshot": {"screenshot": {"data": IMAGE}},
            "configSettings": {"extraHeaders": {"Cookie": "csrftoken=abc; sessionid=secret-session"}}}


def test_stripping_removes_every_image_and_keeps_the_scores():
    # given a report with its screenshots
    data = report()
    # when it is stripped for the repository
    strip_screenshots(data)
    # then no image is left, and the scores are those Lighthouse gave
    assert "data:image" not in json.dumps(data)
    assert "fullPageScreenshot" not in data
    assert scores(data) == {"performance": 98, "accessibility": 100, "best-practices": 100, "seo": 63}


def test_the_summary_names_the_audits_that_cost_points():
    found = below_one(report())
    assert [a["id"] for a in found["performance"]] == ["total-blocking-time"]
    assert found["performance"][0]["value"] == "160 ms"
    assert [a["id"] for a in found["seo"]] == ["is-crawlable"]
    assert found["accessibility"] == found["best-practices"] == []


def test_the_session_cookie_is_not_committed():
    data = report()
    redact_headers(data)
    assert "secret-session" not in json.dumps(data)
    assert data["configSettings"]["extraHeaders"] == {"Cookie": "(redacted)"}
