"""The bot itself: getMe, session methods, commands, descriptions, menu button."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from bot.sandbox.emulator import bot_api_errors
from bot.sandbox.emulator.methods.registry import api_method
from bot.sandbox.emulator.params import Params

if TYPE_CHECKING:
    from bot.sandbox.emulator.world import World

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")


@api_method("getMe")
async def get_me(world: World, p: Params) -> Any:
    data = world.bot.to_json()
    data.update(
        {
            "can_join_groups": True,
            "can_read_all_group_messages": not world.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    )
    return data


@api_method("logOut", "close")
async def log_out(world: World, p: Params) -> Any:
    return True


def _scope_key(p: Params) -> tuple[str, str]:
    scope = p.get_json("scope")
    scope_key = json.dumps(scope, sort_keys=True) if isinstance(scope, dict) else "default"
    if scope_key == json.dumps({"type": "default"}):
        scope_key = "default"
    return scope_key, p.get_str("language_code") or ""


@api_method("setMyCommands")
async def set_my_commands(world: World, p: Params) -> Any:
    commands = p.get_json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bot_api_errors.bad_request("commands must be an Array of up to 100 BotCommand")
    cleaned = []
    for item in commands:
        if not isinstance(item, dict):
            raise bot_api_errors.bad_request("can't parse BotCommand")
        command = str(item.get("command", "")).lstrip("/")
        description = str(item.get("description", ""))
        if not _COMMAND.match(command):
            raise bot_api_errors.bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bot_api_errors.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": command, "description": description})
    world.commands[_scope_key(p)] = cleaned
    return True


@api_method("getMyCommands")
async def get_my_commands(world: World, p: Params) -> Any:
    return world.commands.get(_scope_key(p), [])


@api_method("deleteMyCommands")
async def delete_my_commands(world: World, p: Params) -> Any:
    world.commands.pop(_scope_key(p), None)
    return True


def _text_setting(field: str, limit: int) -> None:
    setter = "setMy" + field[0].upper() + field[1:]
    getter = "getMy" + field[0].upper() + field[1:]

    async def set_value(world: World, p: Params) -> Any:
        value = p.get_str(field.lower() if field != "shortDescription" else "short_description")
        if value is not None and len(value) > limit:
            raise bot_api_errors.bad_request(f"{field} is too long")
        world.bot_texts[(field, p.get_str("language_code") or "")] = value or ""
        return True

    async def get_value(world: World, p: Params) -> Any:
        key = "short_description" if field == "shortDescription" else field.lower()
        return {key: world.bot_texts.get((field, p.get_str("language_code") or ""), "")}

    api_method(setter)(set_value)
    api_method(getter)(get_value)


_text_setting("description", 512)
_text_setting("shortDescription", 120)
_text_setting("name", 64)


@api_method("setChatMenuButton", "setMyDefaultAdministratorRights")
async def accept_setting(world: World, p: Params) -> Any:
    return True


@api_method("getChatMenuButton")
async def get_chat_menu_button(world: World, p: Params) -> Any:
    return {"type": "commands"}
