# watchrun.fish: fish completion for watchrun(1).  Installed in
# share/fish/vendor_completions.d, where fish loads it on first use.
# Event names come from `watchrun --list-events`.

# Event names, each after those the token already holds: -e 'CREATE|MO'.
function __watchrun_events
    set -l prog (commandline -opc)[1]
    set -l token (commandline -ct | string replace -r -- '^-e|^--events=' '')
    set -l head (string match -r -- '^.*[|,]' $token)
    string match -q -- '*/*' $prog; and test -x "$prog"; or set prog watchrun
    for name in ($prog --list-events 2>/dev/null)
        printf '%s%s\n' "$head" $name
    end
end

# A number, then a unit: -d 5 offers 5us 5ms 5s 5m 5h.
function __watchrun_duration
    set -l token (commandline -ct | string replace -r -- '^-d|^--[a-z-]+=' '')
    set -l num (string match -r -- '^[0-9]+(?:\.[0-9]+)?' $token)
    or return
    printf '%s\tmicroseconds\n' $num'us'
    printf '%s\tmilliseconds\n' $num'ms'
    printf '%s\tseconds\n' $num's'
    printf '%s\tminutes\n' $num'm'
    printf '%s\thours\n' $num'h'
end

# Signal names, with or without SIG.  kill(1)'s list: the names that
# --signal takes.
function __watchrun_signals
    set -l token (commandline -ct | string replace -r -- '^--[a-z-]+=' '')
    set -l pre ''
    string match -qi -- 'sig*' $token; and set pre SIG
    for sig in (command kill -l 2>/dev/null | string split -n ' ')
        echo $pre$sig
    end
end

# The words of the command to run, those typed so far, once it has begun:
# after "--" or the first word that is neither an option nor its value.
# Fails before that.
function __watchrun_command_words
    set -l words (commandline -opc)
    set -e words[1]
    set -l valueopts -f -w -x -r -e -d -s -j --file --watch --ignore \
        --regex --events --debounce --shell --jobs --on-busy --max-wait \
        --run-timeout --wait-timeout --signal --stop-signal --stop-timeout \
        --max-paths --explain --backend --color
    while set -q words[1]
        switch $words[1]
            case --
                set -e words[1]
                string escape -- $words
                return 0
            case $valueopts
                # The word being typed is this option's value.
                set -q words[2]; or return 1
                set -e words[1]
            case '-*'
            case '*'
                string escape -- $words
                return 0
        end
        set -e words[1]
    end
    # The command's first word is being typed.
    not string match -q -- '-*' (commandline -ct)
end

# What the command itself would complete.
function __watchrun_command
    set -l words (__watchrun_command_words)
    complete -C (string join ' ' -- $words (commandline -ct))
end

complete -c watchrun -f
complete -c watchrun -n __watchrun_command_words -a '(__watchrun_command)'

# Options and their values, up to the command.
set -l opt complete -c watchrun -n 'not __watchrun_command_words'
$opt -s h -l help -d 'Print the usage and the options'
$opt -l version -d 'Print the version'
$opt -l list-events -d 'Print the event names -e takes'
$opt -l init -d 'Write a commented Watchfile for the project here'
$opt -l color -x -a 'auto always never' -d 'Colour run reports'
$opt -l bell -d 'Ring the terminal bell when a run fails'
$opt -s f -l file -r -F -d 'Rules file'
$opt -s w -l watch -x -a '(__fish_complete_directories)' -d 'Watch a directory recursively'
$opt -s x -l ignore -x -d 'Never watch or report matching paths'
$opt -l no-default-ignores -d "Watch .git/ and editors' scratch files too"
$opt -l no-vcs-ignore -d "Do not apply .gitignore and git's excludes"
$opt -s r -l regex -x -d "The rule's path pattern"
$opt -s e -l events -x -a '(__watchrun_events)' -d "The rule's events"
$opt -s d -l debounce -x -a '(__watchrun_duration)' -d 'Quiet period before a run'
$opt -l max-wait -x -a '(__watchrun_duration)' -d 'Run at the latest this long after the first change'
$opt -s s -l shell -x -d 'Run a command line with sh -c'
$opt -s i -l initial -d 'Run each rule once at the start'
$opt -l existing -d 'Files already there count as created'
$opt -s R -l restart -d 'Same as --on-busy restart'
$opt -l on-busy -x -a 'queue restart ignore signal' -d 'What to do with changes while a command runs'
$opt -l backend -x -a 'auto inotify fanotify poll poll=1s' -d 'How the trees are watched'
$opt -l signal -x -a '(__watchrun_signals)' -d 'What --on-busy signal sends'
$opt -l no-loop -d "Changes made by a rule's own run do not set it off"
$opt -s j -l jobs -x -d 'At most this many commands at once'
$opt -l run-timeout -x -a '(__watchrun_duration)' -d 'Stop a run that lasts longer'
$opt -l stop-signal -x -a '(__watchrun_signals)' -d 'What stops a command'
$opt -l stop-timeout -x -a '(__watchrun_duration)' -d 'Stop signal to SIGKILL delay'
$opt -l once -d 'Exit when the first run ends'
$opt -l wait-timeout -x -a '(__watchrun_duration)' -d 'With --once: give up if no run started by then'
$opt -s c -l clear -d 'Clear the terminal before each run'
$opt -l check -d 'Validate and print the rules'
$opt -l explain -r -F -d 'Say which ignore or rules a path meets'
$opt -l print -d 'Print events instead of running commands'
$opt -l json -d 'Print events as JSON'
$opt -l partial -d 'Start even if not every directory can be watched'
$opt -l follow-symlinks -d 'Watch directories that symlinks point to'
$opt -l max-paths -x -d 'Cap each batch at this many paths'
$opt -s q -l quiet -d "No status lines of watchrun's own"
