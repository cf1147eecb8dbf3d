# fish completion for procwatch(1)
# SPDX-License-Identifier: GPL-2.0-or-later

# after "--" comes a command line of its own
function __fish_procwatch_has_command
    contains -- -- (commandline -opc)
end

# complete the command line after "--" as a command of its own
function __fish_procwatch_command
    set -l tokens (commandline -opc)
    set -l i (contains -i -- -- $tokens)
    or return
    set -e tokens[1..$i]
    complete -C (string join ' ' -- (string escape -- $tokens) (commandline -ct))
end

# the event list: complete its last comma-separated item
function __fish_procwatch_events
    set -l token (commandline -ct | string replace -r -- '^(--events=|-e)' '')
    set -l prefix (string match -r -- '^.*,' $token)
    set -l chosen (string split -- , $token)
    set -l events fork exec exit uid gid sid ptrace comm coredump all
    set -l descriptions \
        'a process was created' \
        'a process executed a new program' \
        'a process ended' \
        'a process changed its user id' \
        'a process changed its group id' \
        'a process started a new session' \
        'a process was attached to or detached from a tracer' \
        'a process changed its name' \
        'a process is dumping core' \
        'every event'
    for i in (seq (count $events))
        contains -- $events[$i] $chosen[1..-2]; and continue
        printf '%s%s\t%s\n' "$prefix" $events[$i] $descriptions[$i]
    end
end

# the directory of --proc-root, also in --proc-root=DIR
function __fish_procwatch_proc_root
    __fish_complete_directories (commandline -ct | string replace -r -- '^--proc-root=' '')
end

complete -c procwatch -f
complete -c procwatch -n 'not __fish_procwatch_has_command' -s e -l events -x -a '(__fish_procwatch_events)' -d 'Events to show'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s f -l format -x -a 'json\t"one JSON object per line" text\t"one line of text per event"' -d 'Output format'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s n -l count -x -d 'Stop after N records'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s o -l output -r -F -d 'Append to FILE, reopened on SIGHUP'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s a -l ancestors -x -d 'Show N ancestors of each process (0: none)'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l numeric -d 'Show user and group ids only, no names'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l snapshot -d 'First an exist record for each running process'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l threads -d 'Also show thread creation and thread exit'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s p -l pid -x -a '(__fish_complete_pids)' -d 'Only PID and its descendants'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l comm -x -d 'Only processes whose name matches PATTERN'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l exe -r -F -d 'Only processes whose executable path matches PATTERN'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s u -l user -x -a '(__fish_complete_users)' -d 'Only processes whose real or effective user is USER'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l under -x -d 'Only processes with an ancestor whose name or executable path matches PATTERN'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l failed -d 'Only exits with a non-zero status or a signal'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s D -l duration -x -d 'Stop after SECONDS'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l stats -d 'Counters on stderr at exit and on SIGUSR1'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s r -l realtime -d 'Run with real-time priority (SCHED_FIFO)'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l rcvbuf -x -d 'Kernel receive buffer in bytes'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l queue -x -d 'Bytes of records kept for a slow reader (K, M, G)'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l exec-source -x -a 'auto\t"bpf when it loads, else proc" bpf\t"taken in the kernel at the exec" proc\t"read from /proc after the exec"' -d 'Where exec argv, exe and cwd come from'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l ring-size -x -d 'The exec capture\'s ring buffer (a power of two, K, M, G)'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l proc-root -x -a '(__fish_procwatch_proc_root)' -d 'Read process data from DIR instead of /proc'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l record -r -F -d 'Also write every datagram the kernel sends to FILE'
complete -c procwatch -n 'not __fish_procwatch_has_command' -l replay -r -F -d 'Read the events of a recording instead of the kernel\'s'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s h -l help -d 'Show the help and exit'
complete -c procwatch -n 'not __fish_procwatch_has_command' -s V -l version -d 'Show the version and exit'
complete -c procwatch -n __fish_procwatch_has_command -x -a '(__fish_procwatch_command)'
