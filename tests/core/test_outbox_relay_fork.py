"""The relay survives the fork of gunicorn and Celery's prefork pool: a forked child gets its own
relay thread on first use, never the parent's (which does not exist in the child)."""
import os

from core import relay


def test_a_forked_child_starts_its_own_relay_thread_on_first_use():
    parent = relay._current()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no database touched, report and leave at once
        try:
            child = relay._current()
            ok = child is not parent and child.pid == os.getpid() and child.thread.is_alive()
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(pid, 0)
    assert answer == b"1", "the child should run a relay thread of its own"
    assert relay._current() is parent and parent.thread.is_alive()  # the parent's is untouched
