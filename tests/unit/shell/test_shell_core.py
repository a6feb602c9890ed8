"""The shell core in-process: parsing, quoting, argument counts, help, editing, completion,
history, output from other threads, the end of input. Transcripts are Zephyr's bytes."""

from __future__ import annotations

import re

from .conftest import plain

PROMPT = "uart:~$ "


def test_first_prompt_is_two_new_lines_and_the_prompt(term):
    t = term("plain")
    assert t.raw().endswith("\r\n\r\nuart:~$ ")
    t = term("color")
    # colours reset, two new lines, the prompt in green
    assert t.raw().endswith("\x1b[m\r\n\r\n\x1b[1;32muart:~$ \x1b[m")


def test_arguments_are_split_unquoted_and_unescaped(term):
    t = term()
    out = t.command("any a  'b c' \"d \\\"e\\\"\" f\\ g \"\\x41\\0102\"")
    assert plain(out).splitlines()[1] == 'argc=6 any|a|b c|d "e"|f g|AB'


def test_unterminated_quote(term):
    t = term()
    assert plain(t.command('any "open')) == 'any "open\nnot terminated: "\n' + PROMPT


def test_argument_counts_include_the_command(term):
    t = term()
    assert plain(t.command("args a")).splitlines()[1] == "argc=2 args|a"
    assert plain(t.command("args a b c")).splitlines()[1] == "argc=4 args|a|b|c"
    assert plain(t.command("args")) == ("args\nargs: wrong parameter count\n"
                                        "args - Two to four words.\n" + PROMPT)
    assert plain(t.command("args a b c d")).splitlines()[1:3] == [
        "args: wrong parameter count", "args - Two to four words."]
    assert t.command("retval").replace("\r", "").splitlines()[1] == "-22"


def test_raw_argument_keeps_the_rest_of_the_line(term):
    t = term()
    assert plain(t.command("raw one  two \"three\"")).splitlines()[1] == \
        'argc=3 raw|one|two "three"'
    assert plain(t.command("raw one")).splitlines()[1] == "argc=2 raw|one"


def test_unknown_command_and_subcommand(term):
    t = term()
    assert plain(t.command("nosuch x y")) == "nosuch x y\nnosuch: command not found\n" + PROMPT
    assert t.command("retval").replace("\r", "").splitlines()[1] == "-8"  # -ENOEXEC
    # an unknown subcommand of a command without a handler: its help
    assert plain(t.command("grp bogus")) == (
        "grp bogus\n"
        "grp - A group without a handler.\n"
        "Subcommands:\n"
        "  one    :First subcommand.\n"
        "  two    :Second subcommand, with a help text long enough to be wrapped by the\n"
        "          shell at the width of the terminal.\n"
        "  twice  :Third.\n" + PROMPT)


def test_dash_h_prints_the_deepest_help(term):
    t = term()
    assert plain(t.command("grp one -h")) == "grp one -h\none - First subcommand.\n" + PROMPT
    assert plain(t.command("args --help")) == "args --help\nargs - Two to four words.\n" + PROMPT
    assert plain(t.command("nosuch -h")).splitlines()[1] == "nosuch: command not found"


def test_help_lists_root_commands_in_name_order(term):
    t = term()
    lines = plain(t.command("help")).splitlines()
    assert lines[1:5] == [
        "Please press the <Tab> button to see all available commands.",
        "You can also use the <Tab> button to prompt or auto-complete all commands or its "
        "subcommands.",
        "You can try to call commands with <-h> or <--help> parameter for more information.",
        "",
    ]
    start = lines.index("Available commands:")
    names = [line.split()[0] for line in lines[start + 1:-1] if line.startswith("  ")
             and ":" in line]
    assert names == sorted(names)
    assert {"any", "args", "clear", "device", "help", "history", "kernel", "shell"} <= set(names)
    assert "  help     :Prints the help message." in lines


def test_colors_of_errors_warnings_and_info(term):
    t = term("color")
    out = t.command("colors")
    assert "\x1b[1;32minfo\r\n\x1b[m" in out
    assert "\x1b[1;33mwarn\r\n\x1b[m" in out
    assert "\x1b[1;31merror\r\n\x1b[m" in out
    assert t.command("nosuch").startswith("nosuch\r\n\x1b[1;31mnosuch: command not found\r\n\x1b[m")


def test_hexdump_layout(term):
    t = term()
    assert plain(t.command("hex")).splitlines()[1:3] == [
        "00000000: 3e 3f 40 41 42 43 44 45  46 47 48 49 4a 4b 4c 4d |>?@ABCDE FGHIJKLM|",
        "00000010: 4e 4f 50 51                                      |NOPQ             |",
    ]


def test_backspace_delete_and_ctrl_c(term):
    t = term("color")
    t.type("kernel verx")
    t.wait("verx")
    t.type("\x7f")  # DEL is backspace (CONFIG_SHELL_BACKSPACE_MODE_DELETE)
    assert t.wait("\x1b[1D\x1b[J").endswith("verx\x1b[1D\x1b[J")
    t.type("\x08rsion\r")  # BS too
    assert "Zephyr version 4.1.0" in t.wait("Zephyr version")
    t.mark = len(t.raw())
    t.type("garbage\x03")  # Ctrl-C: a new prompt, nothing run
    out = t.wait("uart:~$")
    assert "not found" not in out and plain(out) == "garbage\n" + PROMPT


def test_history_up_down_and_the_history_command(term):
    t = term("color")
    t.command("args 1")
    t.command("args 2")
    t.mark = len(t.raw())
    t.type("\x1b[A")
    assert t.wait("args 2") == "\x1b[Jargs 2"
    t.type("\x1b[A")
    t.wait("args 1")
    t.type("\x1b[B\r")
    assert "argc=2 args|2" in t.wait("argc=2 args|2")
    out = plain(t.command("history"))
    assert out.splitlines()[1:4] == ["[  0] history", "[  1] args 2", "[  2] args 1"]


def test_tab_completes_unique_and_lists_many(term):
    t = term("color")
    t.mark = len(t.raw())
    t.type("ker\t")
    assert t.wait("kernel ") == "kernel "  # the echo, then the completion: nothing else
    t.type("vers\t")
    t.wait("version ")
    t.type("\r")
    t.wait("Zephyr version 4.1.0")
    t.mark = len(t.raw())
    t.type("grp t\t")  # two, twice: listed in colour, then the common part completed
    out = t.wait_for(lambda text: plain(text).endswith("uart:~$ grp tw"))
    assert "\x1b[1;36m\r\n  two\x1b[m" in out and "\x1b[1;36mtwice\x1b[m" in out
    assert plain(out).endswith("uart:~$ grp tw")


def test_output_of_other_threads_redraws_the_prompt_and_the_typed_line(term):
    t = term("color")
    t.command("talk 2")
    t.mark = len(t.raw())
    t.type("kern")
    t.wait("kern")
    out = t.wait("log line 1", 3)
    # the prompt line is erased, the line printed, prompt and "kern" drawn again
    assert "\x1b[12D\x1b[Jthread line 0\r\n\x1b[1;32muart:~$ \x1b[mkern" in out
    assert "\x1b[12D\x1b[J[" in out and "<inf> app: log line 1\r\n" in out
    assert out.endswith("\x1b[1;32muart:~$ \x1b[mkern")


def test_device_list_ready_and_deferred(term):
    t = term()
    assert plain(t.command("device list")) == (
        "device list\ndevices:\n- uart@3f8 (READY)\n- led0 (READY)\n- led1 (DISABLED)\n"
        + PROMPT)
    assert plain(t.command("device list led")).splitlines()[2:4] == [
        "- led0 (READY)", "- led1 (DISABLED)"]


def test_kernel_commands(term):
    t = term()
    assert plain(t.command("kernel version")) == "kernel version\nZephyr version 4.1.0\n" + PROMPT
    up = plain(t.command("kernel uptime")).splitlines()[1]
    assert up.startswith("Uptime: ") and up.endswith(" ms")
    pretty = plain(t.command("kernel uptime -p")).splitlines()[1]
    assert pretty.startswith("uptime: 0 days, 0 hours, 0 minutes, ")
    assert plain(t.command("kernel uptime -x")).splitlines()[1] == "Unsupported option: -x"
    threads = plain(t.command("kernel thread list")).splitlines()
    assert threads[1:3] == ["Scheduler: 0 since last call", "Threads:"]
    assert any(line.startswith("*0x") and "shell_uart" in line for line in threads)
    assert "\toptions: 0x0, priority: 14 timeout: 0" in threads
    assert plain(t.command("kernel sleep x")).splitlines()[1] == "Unable to parse input (err -22)"


def test_kernel_threads_gives_each_threads_state_as_zephyr(term):
    """Zephyr's "\tstate: %s, entry: %p" line follows each thread's options line: the words
    of k_thread_state_str, empty for the thread that runs (the shell's) and the idle threads,
    which are never in the run queue."""
    t = term()
    out = plain(t.command("kernel threads"))
    dumps = re.findall(r"^([ *])0x[0-9a-f]+ (.+?) *\n\toptions: .*\n"
                       r"\tstate: (.*), entry: (?:0x[0-9a-f]+|\(nil\))\n", out, re.M)
    assert dumps == [("*", "shell_uart", ""), (" ", "led0", "pending"),
                     (" ", "sysworkq", "pending"), (" ", "idle 01", ""), (" ", "idle 00", "")]


def test_reboot_ends_the_run_with_status_0(term):
    t = term()
    t.type("kernel reboot cold\r")
    assert t.rt.wait(5) == 0


def test_end_of_input_ends_the_run_after_the_last_command(term):
    t = term()
    t.type("args a\rkernel version\r")
    t.close_input()
    assert t.rt.wait(5) == 0
    out = plain(t.raw())
    assert out.endswith("Zephyr version 4.1.0\n" + PROMPT)
