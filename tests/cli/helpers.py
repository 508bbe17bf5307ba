"""What every CLI test uses: run the command line in-process and capture what it printed."""
from __future__ import annotations

from leaddesigner.cli import main


def run(capsys, *argv) -> tuple[int, str, str]:
    """``leaddesigner ARGV...`` in this process: (exit code, stdout, stderr).

    Arguments may be paths or numbers (turned into text). A traceback on stderr
    is a bug whatever the exit code: users get a sentence, never a stack.
    """
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err, err
    return code, out, err
