"""Postmortems: read and edit an incident's postmortem (JSON, or Markdown with `Accept: text/markdown`), move it
through review, and list them (the overdue ones too). Viewers read, responders change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from warroom.api.deps import responder, runtime, viewer
from warroom.auth.actors import Actor
from warroom.postmortems.postmortem_models import (
    AssignOwner,
    EditPostmortem,
    PostmortemFilter,
    PostmortemSummary,
    PostmortemView,
    RegeneratePostmortem,
    SendBack,
    SkipPostmortem,
)
from warroom.postmortems.states import PostmortemState
from warroom.runtime import Warroom

router = APIRouter(tags=["postmortems"])

Runtime = Annotated[Warroom, Depends(runtime)]
Viewer = Annotated[Actor, Depends(viewer)]
Responder = Annotated[Actor, Depends(responder)]

MARKDOWN = "text/markdown"
PATH = "/api/v1/incidents/{ref}/postmortem"


def _wants_markdown(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return MARKDOWN in accept and "application/json" not in accept.split(MARKDOWN)[0]


@router.get(
    PATH,
    response_model=PostmortemView,
    responses={200: {"content": {MARKDOWN: {}}, "description": "The view, or the Markdown alone (ETag: revision)."}},
)
def get_postmortem(ref: str, request: Request, warroom: Runtime, actor: Viewer) -> PostmortemView | Response:
    view = warroom.postmortems.get(actor, ref)
    if _wants_markdown(request):
        headers = {"ETag": f'"{view.revision}"', "X-Postmortem-Revision": str(view.revision)}
        return Response(view.markdown, media_type=f"{MARKDOWN}; charset=utf-8", headers=headers)
    return view


@router.put(PATH, response_model=PostmortemView)
def edit_postmortem(ref: str, body: EditPostmortem, warroom: Runtime, actor: Responder) -> PostmortemView:
    return warroom.postmortems.edit(actor, ref, body)


@router.post(f"{PATH}/owner", response_model=PostmortemView)
def assign_owner(ref: str, body: AssignOwner, warroom: Runtime, actor: Responder) -> PostmortemView:
    return warroom.postmortems.assign_owner(actor, ref, body)


@router.post(f"{PATH}/submit", response_model=PostmortemView)
def submit(ref: str, warroom: Runtime, actor: Responder) -> PostmortemView:
    return warroom.postmortems.submit(actor, ref)


@router.post(f"{PATH}/publish", response_model=PostmortemView)
def publish(ref: str, warroom: Runtime, actor: Responder) -> PostmortemView:
    return warroom.postmortems.publish(actor, ref)


@router.post(f"{PATH}/send-back", response_model=PostmortemView)
def send_back(ref: str, warroom: Runtime, actor: Responder, body: SendBack | None = None) -> PostmortemView:
    return warroom.postmortems.send_back(actor, ref, body or SendBack())


@router.post(f"{PATH}/skip", response_model=PostmortemView)
def skip(ref: str, body: SkipPostmortem, warroom: Runtime, actor: Responder) -> PostmortemView:
    return warroom.postmortems.skip(actor, ref, body)


@router.post(f"{PATH}/regenerate", response_model=PostmortemView)
def regenerate(ref: str, body: RegeneratePostmortem, warroom: Runtime, actor: Responder) -> PostmortemView:
    return warroom.postmortems.regenerate(actor, ref, body)


@router.get("/api/v1/postmortems", response_model=list[PostmortemSummary])
def list_postmortems(
    warroom: Runtime,
    actor: Viewer,
    state: Annotated[list[PostmortemState] | None, Query()] = None,
    overdue: bool | None = None,
    owner: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[PostmortemSummary]:
    filters = PostmortemFilter(states=tuple(state or ()), overdue=overdue, owner=owner, limit=limit)
    return warroom.postmortems.search(actor, filters)
