"""Personal notification rules within the severity's methods (pure)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from warroom.notify.notification_rules import plan_notifications
from warroom.playbook.schema import Person

METHODS = ["phone", "sms", "push", "chat", "email"]


def person(contacts: list[tuple[str, str]], rules: list[tuple[str, str]] | None = None) -> Person:
    return Person.model_validate(
        {
            "key": "ana",
            "name": "Ana",
            "contact_methods": [{"method": m, "address": a} for m, a in contacts],
            "notification_rules": [{"method": m, "after": after} for m, after in (rules or [])],
        }
    )


ANA = person(
    [("push", "ana-topic"), ("sms", "+15550001"), ("phone", "+15550001"), ("email", "ana@example.com")],
    [("push", "0m"), ("sms", "1m"), ("phone", "3m")],
)


def test_rules_give_order_and_delays_within_the_severitys_methods() -> None:
    plan = plan_notifications(ANA, ("push", "sms", "phone"))
    assert [(n.method, n.after) for n in plan.notifications] == [
        ("push", timedelta(0)),
        ("sms", timedelta(minutes=1)),
        ("phone", timedelta(minutes=3)),
    ]
    assert plan.fallbacks == [("email", "ana@example.com")]


def test_a_method_the_severity_does_not_use_is_not_used_even_if_a_rule_names_it() -> None:
    plan = plan_notifications(ANA, ("push", "sms"))
    assert [n.method for n in plan.notifications] == ["push", "sms"]
    # The phone stays a fallback: never page less when a method fails.
    assert plan.fallbacks == [("phone", "+15550001"), ("email", "ana@example.com")]


def test_rules_that_allow_none_of_the_methods_fall_back_to_every_wanted_contact_at_once() -> None:
    plan = plan_notifications(ANA, ("email",))
    assert [(n.method, n.address, n.after) for n in plan.notifications] == [
        ("email", "ana@example.com", timedelta(0))
    ]


def test_without_rules_every_wanted_contact_method_at_once() -> None:
    bob = person([("sms", "+1555"), ("email", "bob@example.com"), ("chat", "U1")])
    plan = plan_notifications(bob, ("sms", "chat"))
    assert [(n.method, n.after) for n in plan.notifications] == [("sms", timedelta(0)), ("chat", timedelta(0))]
    assert plan.fallbacks == [("email", "bob@example.com")]


def test_someone_with_none_of_the_wanted_methods_is_reached_by_their_first() -> None:
    carol = person([("email", "carol@example.com"), ("chat", "U2")])
    plan = plan_notifications(carol, ("phone",))
    assert [(n.method, n.address) for n in plan.notifications] == [("email", "carol@example.com")]
    assert plan.fallbacks == [("chat", "U2")]


def test_ticket_pages_nobody_and_no_contacts_still_leaves_a_record() -> None:
    assert plan_notifications(ANA, ("ticket",)).notifications == []
    lonely = plan_notifications(person([]), ("sms", "email"))
    assert [(n.method, n.address) for n in lonely.notifications] == [("sms", None)]
    assert plan_notifications(None, ("push",)).notifications[0].method == "push"


contacts = st.lists(st.tuples(st.sampled_from(METHODS), st.sampled_from(["a", "b", "+1555"])), max_size=5)
rules = st.lists(st.tuples(st.sampled_from(METHODS), st.sampled_from(["0m", "1m", "5m"])), max_size=4)
wanted = st.lists(st.sampled_from(METHODS), min_size=1, max_size=5, unique=True)


@given(contacts, rules, wanted)
def test_never_pages_less_and_never_twice_by_one_address(
    contact_list: list[tuple[str, str]], rule_list: list[tuple[str, str]], methods: list[str]
) -> None:
    someone = person(contact_list, rule_list)
    plan = plan_notifications(someone, tuple(methods))
    assert plan.notifications, "a paged person is always reached somehow"
    if contact_list:
        # Everything used is one of their addresses; fallbacks never repeat what was already sent.
        used = {(n.method, n.address) for n in plan.notifications}
        assert used <= set(contact_list)
        assert not used & set(plan.fallbacks)
        wanted_contacts = [c for c in contact_list if c[0] in methods]
        if wanted_contacts:
            assert all(n.method in methods for n in plan.notifications)
    assert [n.after for n in plan.notifications] == sorted(n.after for n in plan.notifications)
