#!/usr/bin/env python3
"""Renders the models' own Jinja chat templates on fixed conversations.

The expected strings in tests/llm/chat_template_test.cc come from this script, so that
RenderChat (src/docent/llm/chat_template.cc) is checked against the templates themselves
rather than against a second hand-written copy of the same understanding.

Run from the repository root:  python3 tests/llm/testdata/render_chat_templates.py
It prints one C++ string literal per (template, conversation, add_generation_prompt); with
--cxx it prints the rows of the kRendered table in chat_template_test.cc instead.

Template sources:
  qwen3   ../shared/tokenizers/qwen3/tokenizer_config.json (Qwen3's published template)
  llama3  ../shared/tokenizers/llama3/tokenizer_config.json (the first Meta-Llama-3-8B-Instruct
          release: it appends the assistant header even when add_generation_prompt is false)
  the rest below: the chat_template texts published in the models' tokenizer_config.json
  (Qwen/Qwen2.5-*-Instruct, meta-llama/Meta-Llama-3-8B-Instruct as later revised,
  google/gemma-2-*-it, google/gemma-3-*-it, LGAI-EXAONE/EXAONE-3.5-*-Instruct), with only
  the tool-calling branches of Qwen2.5 kept verbatim (no test passes tools).

Rendering uses the environment transformers' apply_chat_template uses: trim_blocks,
lstrip_blocks, loopcontrols and a raise_exception helper.
"""

import json
import os
import sys

import jinja2
import jinja2.ext
import jinja2.sandbox

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "shared")

QWEN25 = (
    "{%- if tools %}\n"
    "    {{- '<|im_start|>system\\n' }}\n"
    "    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- messages[0]['content'] }}\n"
    "    {%- else %}\n"
    "        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n"
    "    {%- endif %}\n"
    "    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n"
    "    {%- for tool in tools %}\n"
    "        {{- \"\\n\" }}\n"
    "        {{- tool | tojson }}\n"
    "    {%- endfor %}\n"
    "    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": <args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n"
    "{%- else %}\n"
    "    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n"
    "    {%- else %}\n"
    "        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}\n"
    "    {%- endif %}\n"
    "{%- endif %}\n"
    "{%- for message in messages %}\n"
    "    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or (message.role == \"assistant\" and not message.tool_calls) %}\n"
    "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
    "    {%- elif message.role == \"assistant\" %}\n"
    "        {{- '<|im_start|>' + message.role }}\n"
    "        {%- if message.content %}\n"
    "            {{- '\\n' + message.content }}\n"
    "        {%- endif %}\n"
    "        {%- for tool_call in message.tool_calls %}\n"
    "            {%- if tool_call.function is defined %}\n"
    "                {%- set tool_call = tool_call.function %}\n"
    "            {%- endif %}\n"
    "            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n"
    "            {{- tool_call.name }}\n"
    "            {{- '\", \"arguments\": ' }}\n"
    "            {{- tool_call.arguments | tojson }}\n"
    "            {{- '}\\n</tool_call>' }}\n"
    "        {%- endfor %}\n"
    "        {{- '<|im_end|>\\n' }}\n"
    "    {%- elif message.role == \"tool\" %}\n"
    "        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n"
    "            {{- '<|im_start|>user' }}\n"
    "        {%- endif %}\n"
    "        {{- '\\n<tool_response>\\n' }}\n"
    "        {{- message.content }}\n"
    "        {{- '\\n</tool_response>' }}\n"
    "        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n"
    "            {{- '<|im_end|>\\n' }}\n"
    "        {%- endif %}\n"
    "    {%- endif %}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "    {{- '<|im_start|>assistant\\n' }}\n"
    "{%- endif %}\n"
)

LLAMA3_INSTRUCT = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ "
    "message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
    "{% endif %}"
)

GEMMA2 = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
    "{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}"
    "{% set role = message['role'] %}{% endif %}"
    "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"
)

GEMMA3 = (
    "{{ bos_token }}\n"
    "{%- if messages[0]['role'] == 'system' -%}\n"
    "    {%- if messages[0]['content'] is string -%}\n"
    "        {%- set first_user_prefix = messages[0]['content'] + '\\n\\n' -%}\n"
    "    {%- else -%}\n"
    "        {%- set first_user_prefix = messages[0]['content'][0]['text'] + '\\n\\n' -%}\n"
    "    {%- endif -%}\n"
    "    {%- set loop_messages = messages[1:] -%}\n"
    "{%- else -%}\n"
    "    {%- set first_user_prefix = \"\" -%}\n"
    "    {%- set loop_messages = messages -%}\n"
    "{%- endif -%}\n"
    "{%- for message in loop_messages -%}\n"
    "    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}\n"
    "        {{ raise_exception(\"Conversation roles must alternate user/assistant/user/assistant/...\") }}\n"
    "    {%- endif -%}\n"
    "    {%- if (message['role'] == 'assistant') -%}\n"
    "        {%- set role = \"model\" -%}\n"
    "    {%- else -%}\n"
    "        {%- set role = message['role'] -%}\n"
    "    {%- endif -%}\n"
    "    {{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else \"\") }}\n"
    "    {%- if message['content'] is string -%}\n"
    "        {{ message['content'] | trim }}\n"
    "    {%- elif message['content'] is iterable -%}\n"
    "        {%- for item in message['content'] -%}\n"
    "            {%- if item['type'] == 'image' -%}\n"
    "                {{ '<start_of_image>' }}\n"
    "            {%- elif item['type'] == 'text' -%}\n"
    "                {{ item['text'] | trim }}\n"
    "            {%- endif -%}\n"
    "        {%- endfor -%}\n"
    "    {%- else -%}\n"
    "        {{ raise_exception(\"Invalid content type\") }}\n"
    "    {%- endif -%}\n"
    "    {{ '<end_of_turn>\\n' }}\n"
    "{%- endfor -%}\n"
    "{%- if add_generation_prompt -%}\n"
    "    {{'<start_of_turn>model\\n'}}\n"
    "{%- endif -%}\n"
)

EXAONE35 = (
    "{% for message in messages %}{% if loop.first and message['role'] != 'system' %}"
    "{{ '[|system|][|endofturn|]\\n' }}{% endif %}"
    "{{ '[|' + message['role'] + '|]' + message['content'] }}"
    "{% if message['role'] == 'user' %}{{ '\\n' }}{% else %}{{ '[|endofturn|]\\n' }}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '[|assistant|]' }}{% endif %}"
)


def shared_template(name):
    with open(os.path.join(SHARED, "tokenizers", name, "tokenizer_config.json")) as f:
        return json.load(f)["chat_template"]


TEMPLATES = {
    # name: (template text, bos_token the tokenizer_config names)
    "qwen2.5": (QWEN25, ""),
    "qwen3": (shared_template("qwen3"), ""),
    "llama3-shared": (shared_template("llama3"), "<|begin_of_text|>"),
    "llama3-instruct": (LLAMA3_INSTRUCT, "<|begin_of_text|>"),
    "gemma2": (GEMMA2, "<bos>"),
    "gemma3": (GEMMA3, "<bos>"),
    "exaone3.5": (EXAONE35, ""),
}


def msg(role, content):
    return {"role": role, "content": content}


CONVERSATIONS = {
    "system_user": [msg("system", "You are a careful assistant."),
                    msg("user", "What is the capital of France?")],
    "user_only": [msg("user", "Hello!")],
    "multi_turn": [msg("system", "Answer briefly."),
                   msg("user", "Hi"),
                   msg("assistant", "Hello! How can I help?"),
                   msg("user", "Summarize the report.")],
    # Leading/trailing whitespace, including U+3000 IDEOGRAPHIC SPACE, which Jinja's trim
    # (Python's str.strip) removes too.
    "korean": [msg("system", "당신은 친절한 도우미입니다."),
               msg("user", "\u3000 보고서의 핵심 내용을 요약해 주세요.\n\t")],
    "ends_with_assistant": [msg("user", "2+2?"), msg("assistant", "4")],
    # Qwen3 drops <think> blocks from earlier assistant turns and keeps (reformats) the last.
    "thinking_history": [msg("user", "What is 2+2?"),
                         msg("assistant", "<think>\nAdd them.\n</think>\n\n4"),
                         msg("user", "And 3+3?")],
    "thinking_last": [msg("user", "What is 2+2?"),
                      msg("assistant", "<think>\n\nAdd them.\n\n</think>\n\n\n4")],
    # Consecutive tool results share one user turn in both Qwen templates.
    "tool_results": [msg("user", "Weather in Seoul?"),
                     msg("assistant", "Checking."),
                     msg("tool", "{\"temp\": 21}"),
                     msg("tool", "{\"wind\": 3}")],
}


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def render(template_text, bos, messages, add_generation_prompt):
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.globals["raise_exception"] = raise_exception
    template = env.from_string(template_text)
    return template.render(messages=messages, bos_token=bos, eos_token="",
                           add_generation_prompt=add_generation_prompt)


def cxx_literal(s):
    out = []
    for ch in s:
        if ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\"":
            out.append("\\\"")
        elif ch == "\\":
            out.append("\\\\")
        elif ch in "\u3000\u00a0":
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return "\"" + "".join(out) + "\""


# Which ChatFamily reproduces each template (chat_template.h). The first Llama 3 release
# (llama3-shared) is matched only with add_generation_prompt, where the revisions agree.
FAMILIES = {
    "qwen2.5": "kChatMl",
    "qwen3": "kQwen3",
    "llama3-shared": "kLlama3",
    "llama3-instruct": "kLlama3",
    "gemma2": "kGemma",
    "gemma3": "kGemma",
    "exaone3.5": "kExaone",
}


def cxx_table():
    """The rows of kRendered in chat_template_test.cc."""
    for tname, (text, bos) in TEMPLATES.items():
        for cname, messages in CONVERSATIONS.items():
            for agp in (True, False):
                if tname == "llama3-shared" and not agp:
                    continue
                try:
                    rendered = render(text, bos, messages, agp)
                except jinja2.exceptions.TemplateError:
                    continue  # the template refuses this conversation
                print(f'    {{"{tname}", ChatFamily::{FAMILIES[tname]}, "{cname}", '
                      f'{"true" if agp else "false"},\n     {cxx_literal(rendered)}}},')


def main():
    if sys.argv[1:] == ["--cxx"]:
        cxx_table()
        return 0
    for tname, (text, bos) in TEMPLATES.items():
        for cname, messages in CONVERSATIONS.items():
            for agp in (True, False):
                try:
                    rendered = cxx_literal(render(text, bos, messages, agp))
                except jinja2.exceptions.TemplateError as e:
                    rendered = "error: " + str(e)
                print(f"{tname} {cname} add_generation_prompt={agp}:\n  {rendered}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
