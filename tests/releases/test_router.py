from __future__ import annotations

import asyncio

import httpx

from tests.factories import assert_error, create_app, publish


class TestPublish:
    async def test_publish_freezes_and_rotates(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(
            client, auth, name="Shipper", branding={"primary_color": "#0f172a"}
        )

        response = await client.post(
            f"/api/v2/apps/{app['id']}/releases", json={"notes": "First"}, headers=auth
        )

        assert response.status_code == 201
        body = response.json()
        assert set(body) == {"release", "next_draft"}
        release, next_draft = body["release"], body["next_draft"]
        assert release["id"].startswith("release_")
        assert release["app_id"] == app["id"]
        assert release["version"] == 1
        assert release["state"] == "published"
        assert release["source_release_id"] is None
        assert release["has_changes"] is True
        assert release["notes"] == "First"
        assert (
            release["endpoint"]
            == f"https://{app['public_mcp_id']}.mcp.example.test/mcp"
        )
        assert release["actor"]["email"] == "dev@example.com"
        assert release["published_at"].endswith("Z")
        assert "content" not in release
        assert next_draft["source_release_id"] == release["id"]
        assert next_draft["has_changes"] is False
        assert next_draft["id"] != app["current_draft"]["id"]
        assert response.headers["location"] == (
            f"http://testserver/api/v2/apps/{app['id']}/releases/{release['id']}"
        )
        assert response.headers["etag"] == f'"{next_draft["revision"]}"'

        refreshed = (await client.get(f"/api/v2/apps/{app['id']}", headers=auth)).json()
        assert refreshed["current_draft"]["id"] == next_draft["id"]
        assert refreshed["latest_release"]["id"] == release["id"]
        assert refreshed["latest_release"]["version"] == 1
        assert refreshed["endpoint"] == release["endpoint"]

    async def test_second_release_supersedes_first(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, name="One")
        first = (await publish(client, auth, app["id"]))["release"]
        await client.patch(
            f"/api/v2/apps/{app['id']}", json={"name": "Two"}, headers=auth
        )

        second = (await publish(client, auth, app["id"]))["release"]
        listed = (
            await client.get(f"/api/v2/apps/{app['id']}/releases", headers=auth)
        ).json()

        assert second["version"] == 2
        assert second["source_release_id"] == first["id"]
        assert [(r["version"], r["state"]) for r in listed["data"]] == [
            (2, "published"),
            (1, "superseded"),
        ]

    async def test_release_content_is_frozen(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth, name="Frozen", description="v1")
        release = (await publish(client, auth, app["id"]))["release"]
        url = f"/api/v2/apps/{app['id']}/releases/{release['id']}"
        before = (await client.get(url, headers=auth)).json()

        await client.patch(
            f"/api/v2/apps/{app['id']}", json={"description": "v2"}, headers=auth
        )
        after = (await client.get(url, headers=auth)).json()
        draft = (
            await client.get(f"/api/v2/apps/{app['id']}/draft", headers=auth)
        ).json()

        assert before == after
        assert after["content"]["app"]["description"] == "v1"
        assert draft["content"]["app"]["description"] == "v2"
        assert set(after["content"]) == set(draft["content"])

    async def test_nothing_to_publish(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        await publish(client, auth, app["id"])

        response = await client.post(f"/api/v2/apps/{app['id']}/releases", headers=auth)

        assert_error(response, 409, "nothing_to_publish")

    async def test_if_match_on_publish(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        url = f"/api/v2/apps/{app['id']}/releases"

        stale = await client.post(url, headers={**auth, "If-Match": '"99"'})
        fresh = await client.post(url, headers={**auth, "If-Match": '"1"'})

        assert_error(stale, 412, "precondition_failed")
        assert fresh.status_code == 201
        listed = (await client.get(url, headers=auth)).json()
        assert len(listed["data"]) == 1

    async def test_concurrent_publishes_never_repeat_versions(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        url = f"/api/v2/apps/{app['id']}/releases"

        responses = await asyncio.gather(
            *(client.post(url, headers=auth) for _ in range(4))
        )

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409, 409, 409]
        for r in responses:
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "nothing_to_publish"
        listed = (await client.get(url, headers=auth)).json()
        assert [r["version"] for r in listed["data"]] == [1]

    async def test_publish_edit_publish_in_parallel_keeps_versions_dense(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        app_url = f"/api/v2/apps/{app['id']}"

        async def edit_and_publish(i: int) -> None:
            await client.patch(app_url, json={"description": f"edit {i}"}, headers=auth)
            await client.post(f"{app_url}/releases", headers=auth)

        await asyncio.gather(*(edit_and_publish(i) for i in range(6)))
        listed = (
            await client.get(f"{app_url}/releases?sort=version", headers=auth)
        ).json()

        versions = [r["version"] for r in listed["data"]]
        assert versions == list(range(1, len(versions) + 1))
        assert [r["state"] for r in listed["data"]].count("published") == 1

    async def test_unknown_body_field_is_422(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/releases", json={"note": "typo"}, headers=auth
        )

        assert_error(response, 422, "validation_failed")

    async def test_publish_scope(self, client: httpx.AsyncClient, make_auth) -> None:  # type: ignore[no-untyped-def]
        writer = make_auth(sub="user_scoped", scope="drio:read drio:write")
        publisher = make_auth(sub="user_scoped", scope="drio:read drio:publish")
        app = await create_app(client, writer)
        url = f"/api/v2/apps/{app['id']}/releases"

        denied = await client.post(url, headers=writer)
        allowed = await client.post(url, headers=publisher)

        assert_error(denied, 403, "insufficient_scope")
        assert allowed.status_code == 201

    async def test_other_tenant_cannot_publish(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        app = await create_app(client, auth)

        response = await client.post(
            f"/api/v2/apps/{app['id']}/releases", headers=other_auth
        )

        assert_error(response, 404, "not_found")


class TestIdempotency:
    async def test_replay_returns_the_first_response(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        headers = {**auth, "Idempotency-Key": "create-once"}

        first = await client.post(
            "/api/v2/apps", json={"name": "Once"}, headers=headers
        )
        second = await client.post(
            "/api/v2/apps", json={"name": "Once"}, headers=headers
        )
        listed = (await client.get("/api/v2/apps", headers=auth)).json()

        assert first.status_code == second.status_code == 201
        assert second.json() == first.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert "idempotent-replayed" not in first.headers
        assert second.headers["location"] == first.headers["location"]
        assert len(listed["data"]) == 1

    async def test_key_reused_with_other_body(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        headers = {**auth, "Idempotency-Key": "k-1"}
        await client.post("/api/v2/apps", json={"name": "A"}, headers=headers)

        response = await client.post(
            "/api/v2/apps", json={"name": "B"}, headers=headers
        )

        assert_error(response, 422, "idempotency_key_reused")

    async def test_keys_are_per_tenant(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        other_auth: dict[str, str],
    ) -> None:
        mine = await client.post(
            "/api/v2/apps",
            json={"name": "A"},
            headers={**auth, "Idempotency-Key": "shared"},
        )
        theirs = await client.post(
            "/api/v2/apps",
            json={"name": "A"},
            headers={**other_auth, "Idempotency-Key": "shared"},
        )

        assert theirs.status_code == 201
        assert "idempotent-replayed" not in theirs.headers
        assert theirs.json()["id"] != mine.json()["id"]

    async def test_failed_request_does_not_burn_the_key(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        await create_app(client, auth, slug="occupied")
        headers = {**auth, "Idempotency-Key": "retry-me"}

        failed = await client.post(
            "/api/v2/apps", json={"name": "X", "slug": "occupied"}, headers=headers
        )
        fixed = await client.post(
            "/api/v2/apps", json={"name": "X", "slug": "vacant"}, headers=headers
        )

        assert_error(failed, 409, "slug_taken")
        assert fixed.status_code == 201

    async def test_concurrent_same_key_does_the_work_once(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        headers = {**auth, "Idempotency-Key": "publish-1"}
        url = f"/api/v2/apps/{app['id']}/releases"

        responses = await asyncio.gather(
            *(client.post(url, headers=headers) for _ in range(5))
        )

        codes = {r.status_code for r in responses}
        assert codes <= {201, 409}
        created = [r for r in responses if r.status_code == 201]
        assert len({r.json()["release"]["id"] for r in created}) == 1
        for r in responses:
            if r.status_code == 409:
                assert r.json()["error"]["code"] == "idempotency_key_in_use"
        retry = await client.post(url, headers=headers)
        assert retry.status_code == 201
        assert retry.headers["idempotent-replayed"] == "true"
        listed = (await client.get(url, headers=auth)).json()
        assert len(listed["data"]) == 1

    async def test_bad_key(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/v2/apps",
            json={"name": "A"},
            headers={**auth, "Idempotency-Key": "x" * 256},
        )

        assert_error(response, 400, "invalid_request")


class TestGetRelease:
    async def test_unknown_release_is_404(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)

        for release_id in ("release_01jd7x3k5q9n2m4p6r8t0v2w4y", "bogus"):
            response = await client.get(
                f"/api/v2/apps/{app['id']}/releases/{release_id}", headers=auth
            )
            assert_error(response, 404, "not_found")

    async def test_release_of_another_app_is_404(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        first = await create_app(client, auth)
        second = await create_app(client, auth)
        release = (await publish(client, auth, first["id"]))["release"]

        response = await client.get(
            f"/api/v2/apps/{second['id']}/releases/{release['id']}", headers=auth
        )

        assert_error(response, 404, "not_found")

    async def test_list_pages(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        for i in range(3):
            await client.patch(
                f"/api/v2/apps/{app['id']}", json={"description": str(i)}, headers=auth
            )
            await publish(client, auth, app["id"])
        url = f"/api/v2/apps/{app['id']}/releases"

        first = (await client.get(f"{url}?limit=2", headers=auth)).json()
        second = (
            await client.get(
                f"{url}?limit=2&cursor={first['page']['next_cursor']}", headers=auth
            )
        ).json()

        assert [r["version"] for r in first["data"] + second["data"]] == [3, 2, 1]
        assert second["page"]["has_more"] is False


class TestListReleases:
    async def test_query_searches_notes_and_sort_by_version(
        self, client: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        app = await create_app(client, auth)
        await publish(client, auth, app["id"], notes="Adds search")
        await client.patch(
            f"/api/v2/apps/{app['id']}", json={"description": "x"}, headers=auth
        )
        await publish(client, auth, app["id"], notes="Fixes typos")
        url = f"/api/v2/apps/{app['id']}/releases"

        found = (await client.get(f"{url}?query=SEARCH", headers=auth)).json()
        ascending = (await client.get(f"{url}?sort=version", headers=auth)).json()

        assert [r["notes"] for r in found["data"]] == ["Adds search"]
        assert [r["version"] for r in ascending["data"]] == [1, 2]
        assert_error(
            await client.get(f"{url}?sort=name", headers=auth), 422, "validation_failed"
        )
