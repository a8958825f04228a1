"""The postmortem's states and what may be done in each, as plain data.

draft -> in_review -> published, with in_review -> draft (sent back) and draft | in_review -> skipped (only when
the severity does not require one). The text is edited in draft and in review (reviewers' corrections); a
published or skipped postmortem no longer changes. Regenerating from the incident throws the text away, so it
is for drafts only.
"""

from __future__ import annotations

from enum import StrEnum

from warroom.playbook.schema import PostmortemRequirement


class PostmortemState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    SKIPPED = "skipped"


class PostmortemAction(StrEnum):
    EDIT = "edit"
    ASSIGN_OWNER = "assign_owner"
    SUBMIT = "submit"
    PUBLISH = "publish"
    SEND_BACK = "send_back"
    SKIP = "skip"
    REGENERATE = "regenerate"


OPEN_STATES = frozenset({PostmortemState.DRAFT, PostmortemState.IN_REVIEW})

_ALLOWED: dict[PostmortemState, tuple[PostmortemAction, ...]] = {
    PostmortemState.DRAFT: (
        PostmortemAction.EDIT,
        PostmortemAction.ASSIGN_OWNER,
        PostmortemAction.SUBMIT,
        PostmortemAction.SKIP,
        PostmortemAction.REGENERATE,
    ),
    PostmortemState.IN_REVIEW: (
        PostmortemAction.EDIT,
        PostmortemAction.ASSIGN_OWNER,
        PostmortemAction.PUBLISH,
        PostmortemAction.SEND_BACK,
        PostmortemAction.SKIP,
    ),
    PostmortemState.PUBLISHED: (),
    PostmortemState.SKIPPED: (),
}

_HINTS: dict[tuple[PostmortemState, PostmortemAction], str] = {
    (PostmortemState.DRAFT, PostmortemAction.PUBLISH): "submit it for review first",
    (PostmortemState.DRAFT, PostmortemAction.SEND_BACK): "it is not in review",
    (PostmortemState.IN_REVIEW, PostmortemAction.SUBMIT): "it is already in review",
    (PostmortemState.IN_REVIEW, PostmortemAction.REGENERATE): "send it back to draft first",
}


class RefusedAction(ValueError):
    """The action does not apply to the postmortem as it is; `allowed` names what does."""

    def __init__(self, message: str, allowed: list[PostmortemAction]) -> None:
        super().__init__(message)
        self.allowed = allowed


def allowed_actions(state: PostmortemState, requirement: str) -> list[PostmortemAction]:
    required = requirement == PostmortemRequirement.REQUIRED.value
    return [action for action in _ALLOWED[state] if not (required and action is PostmortemAction.SKIP)]


def check_action(state: PostmortemState, requirement: str, action: PostmortemAction) -> None:
    allowed = allowed_actions(state, requirement)
    if action in allowed:
        return
    words = action.value.replace("_", " ")
    if action is PostmortemAction.SKIP and action in _ALLOWED[state]:
        raise RefusedAction("the severity requires this postmortem: it cannot be skipped", allowed)
    if state is PostmortemState.PUBLISHED:
        reason = "it is published and no longer changes"
    elif state is PostmortemState.SKIPPED:
        reason = "it was skipped"
    else:
        reason = _HINTS.get((state, action), f"not while it is {state.value.replace('_', ' ')}")
    raise RefusedAction(f"cannot {words} the postmortem: {reason}", allowed)


def target_state(action: PostmortemAction) -> PostmortemState | None:
    """Where an action moves the postmortem (None: it stays where it is)."""
    return {
        PostmortemAction.SUBMIT: PostmortemState.IN_REVIEW,
        PostmortemAction.PUBLISH: PostmortemState.PUBLISHED,
        PostmortemAction.SEND_BACK: PostmortemState.DRAFT,
        PostmortemAction.SKIP: PostmortemState.SKIPPED,
    }.get(action)
