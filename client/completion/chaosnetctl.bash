# bash completion for chaosnetctl: subcommands, flags and their fixed values,
# interface names (/sys/class/net) and fault IDs (asked of the daemon with
# `chaosnetctl list`, through the same --server and TLS flags as the line).
# Installed as share/bash-completion/completions/chaosnetctl; works without
# the bash-completion package too (source it).

_chaosnetctl_globals_with_value="--server -o --output --timeout --tls-ca --tls-cert --tls-key --tls-server-name"
_chaosnetctl_globals="--help --version --server --output --timeout --tls-ca --tls-cert --tls-key --tls-server-name --insecure"
_chaosnetctl_faults="delay loss duplicate corrupt reorder rate partition apply jam"
_chaosnetctl_commands="$_chaosnetctl_faults list get extend revoke watch info run profiles fleet"
_chaosnetctl_target="--ttl --dst --src --dport --sport --proto --direction --netns --label --limit --request-id --dry-run --exempt --guard --guard-interval --guard-timeout --guard-failures --guard-grace --ramp --over --step --steps --repeat --flap --trace --trace-format --trace-window --netem-seed --help"
_chaosnetctl_slot="--slot --slot-packets --slot-bytes --slot-distribution --slot-delay --slot-jitter"
_chaosnetctl_link_rate="--link-rate --overhead --cell-size --cell-overhead --in-order"
_chaosnetctl_fleet_subcommands="partition delay loss apply status heal"
_chaosnetctl_experiment="--fleet --shape --shape-seed --ttl --label --dry-run --hold --dport --sport --proto --help"
# Flags that take no value (everything else takes one).
_chaosnetctl_switches="--help -h --version --insecure --dry-run --partition --all --initial --mine --stepped --halt-kills --ecn --in-order --hold"

# The flags of one subcommand.
_chaosnetctl_flags() {
  case $1 in
    delay)
      echo "$_chaosnetctl_target --jitter --correlation --distribution $_chaosnetctl_slot" \
        "$_chaosnetctl_link_rate"
      ;;
    loss) echo "$_chaosnetctl_target --correlation --ecn" ;;
    duplicate | corrupt) echo "$_chaosnetctl_target --correlation" ;;
    reorder) echo "$_chaosnetctl_target --delay --correlation --gap" ;;
    rate | partition) echo "$_chaosnetctl_target" ;;
    apply)
      echo "$_chaosnetctl_target --delay --jitter --delay-correlation --distribution --loss" \
        "--loss-correlation --duplicate --duplicate-correlation --corrupt --corrupt-correlation" \
        "--reorder --reorder-correlation --gap --rate --partition --loss-model --ecn" \
        "$_chaosnetctl_slot $_chaosnetctl_link_rate --profile --from"
      ;;
    jam) echo "$_chaosnetctl_target --queue-bytes" ;;
    profiles | fleet) echo "--help" ;;
    fleet-partition) echo "$_chaosnetctl_experiment" ;;
    fleet-delay)
      echo "$_chaosnetctl_experiment --between --jitter --correlation --distribution"
      ;;
    fleet-loss) echo "$_chaosnetctl_experiment --between --correlation" ;;
    fleet-apply)
      echo "$_chaosnetctl_experiment --between --delay --jitter --loss --duplicate --corrupt" \
        "--rate --partition"
      ;;
    fleet-status) echo "--fleet --experiment --help" ;;
    fleet-heal) echo "--fleet --experiment --help" ;;
    list) echo "--interface --label --all --mine --help" ;;
    get | extend) echo "--help" ;;
    revoke) echo "--all --label --help" ;;
    watch) echo "--initial --mine --stepped --help" ;;
    info) echo "--help" ;;
    run) echo "--ttl --halt-kills --help" ;;
  esac
}

_chaosnetctl_is_switch() {
  [[ " $_chaosnetctl_switches " == *" $1 "* ]]
}

_chaosnetctl_interfaces() {
  local dev names=()
  for dev in /sys/class/net/*; do [[ -e $dev ]] && names+=("${dev##*/}"); done
  echo "${names[*]}"
}

# Fault IDs from the daemon; $1 = "--all" to include ended faults. The global
# flags already on the line say which daemon.
_chaosnetctl_fault_ids() {
  local json
  json=$("${_chaosnetctl_connection[@]}" -o json --timeout 2s list $1 2>/dev/null) || return
  grep -oE '"id":"[^"]+"' <<<"$json" | cut -d'"' -f4
}

_chaosnetctl_files() {
  compopt -o filenames 2>/dev/null
  COMPREPLY=($(compgen -f -- "$1"))
}

# The values of flag $1 that start with $2 (none for free text).
_chaosnetctl_value() {
  local flag=$1 cur=$2
  case $flag in
    --proto) COMPREPLY=($(compgen -W "tcp udp icmp" -- "$cur")) ;;
    --direction) COMPREPLY=($(compgen -W "egress ingress both" -- "$cur")) ;;
    --distribution | --slot-distribution)
      COMPREPLY=($(compgen -W "normal pareto paretonormal" -- "$cur"))
      ;;
    --profile)
      COMPREPLY=($(compgen -W "$("${_chaosnetctl_connection[@]}" -o json --timeout 2s profiles \
        2>/dev/null | grep -oE '"name":"[^"]+"' | cut -d'"' -f4)" -- "$cur"))
      ;;
    --shape)
      COMPREPLY=($(compgen -W "halves random-halves isolate bridge majorities-ring groups: one-way:" \
        -- "$cur"))
      ;;
    --fleet | --from | --trace) _chaosnetctl_files "$cur" ;;
    --trace-format) COMPREPLY=($(compgen -W "csv mahimahi" -- "$cur")) ;;
    -o | --output) COMPREPLY=($(compgen -W "table json" -- "$cur")) ;;
    --interface) COMPREPLY=($(compgen -W "$(_chaosnetctl_interfaces)" -- "$cur")) ;;
    --netns)
      local names=() ns
      for ns in /run/netns/*; do [[ -e $ns ]] && names+=("${ns##*/}"); done
      COMPREPLY=($(compgen -W "${names[*]} pid:" -- "$cur"))
      [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == pid: ]] && compopt -o nospace 2>/dev/null
      ;;
    --server)
      COMPREPLY=($(compgen -W "unix:/run/chaosnetd/chaosnetd.sock" -- "$cur"))
      ;;
    --tls-ca | --tls-cert | --tls-key) _chaosnetctl_files "$cur" ;;
    *) COMPREPLY=() ;;  # a duration, percentage, rate, CIDR, port or label: free text
  esac
}

_chaosnetctl() {
  # Words from the line itself, split on blanks only: bash's own COMP_WORDS
  # would also split "unix:/path" and "pid:42" at the colon.
  local line=${COMP_LINE:0:COMP_POINT}
  local -a words
  read -ra words <<<"$line"
  [[ $line =~ [[:space:]]$ || ${#words[@]} -eq 0 ]] && words+=("")
  local cur=${words[-1]} prev=""
  ((${#words[@]} > 1)) && prev=${words[-2]}
  COMPREPLY=()

  _chaosnetctl_connection=("${words[0]:-chaosnetctl}")
  local i=1 sub="" n=$((${#words[@]} - 1))
  while ((i < n)); do
    local w=${words[i]}
    if [[ " $_chaosnetctl_globals_with_value " == *" $w "* ]]; then
      [[ $w != -o && $w != --output ]] && _chaosnetctl_connection+=("$w" "${words[i + 1]}")
      ((i += 2))
    elif [[ $w == --insecure || $w == --server=* || $w == --tls-*=* ]]; then
      _chaosnetctl_connection+=("$w")
      ((i += 1))
    elif [[ $w == -* ]]; then
      ((i += 1))
    else
      sub=$w
      break
    fi
  done

  if [[ -z $sub ]]; then
    if [[ " $_chaosnetctl_globals_with_value " == *" $prev "* ]] && ((n - 1 >= 1)); then
      _chaosnetctl_value "$prev" "$cur"
    elif [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$_chaosnetctl_globals -o" -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_chaosnetctl_commands" -- "$cur"))
    fi
    _chaosnetctl_trim_colon "$cur"
    return 0
  fi

  local start=$((i + 1))
  if [[ $sub == fleet ]]; then
    # fleet <partition|delay|loss|apply|status|heal> [flags] [value]
    if ((start >= n)); then
      if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--help" -- "$cur"))
      else
        COMPREPLY=($(compgen -W "$_chaosnetctl_fleet_subcommands" -- "$cur"))
      fi
      return 0
    fi
    sub=fleet-${words[start]}
    start=$((start + 1))
  fi
  if [[ $sub == run ]]; then
    # run [--ttl TTL] <fault> ... -- CMD ARGS: after "--" it is the command's line.
    local j
    for ((j = start; j < n; j++)); do
      if [[ ${words[j]} == -- ]]; then
        if ((j + 1 == n)); then
          COMPREPLY=($(compgen -c -- "$cur"))
        else
          _chaosnetctl_files "$cur"
        fi
        return 0
      fi
    done
    while ((start < n)); do
      case ${words[start]} in
        --ttl) ((start += 2)) ;;
        --halt-kills) ((start += 1)) ;;
        *) break ;;
      esac
    done
    if ((start >= n)); then
      if [[ $prev == --ttl ]]; then
        COMPREPLY=()
      else
        COMPREPLY=($(compgen -W "--ttl --halt-kills $_chaosnetctl_faults fleet" -- "$cur"))
      fi
      return 0
    fi
    sub=${words[start]}
    start=$((start + 1))
    if [[ $sub == fleet ]]; then
      # run fleet <partition|delay|loss|apply> [flags] -- CMD
      if ((start >= n)); then
        COMPREPLY=($(compgen -W "partition delay loss apply" -- "$cur"))
        return 0
      fi
      sub=fleet-${words[start]}
      start=$((start + 1))
    else
      [[ " $_chaosnetctl_faults " == *" $sub "* ]] || return 0
    fi
  fi

  # Options of the subcommand, their values, and its positional arguments.
  local positional=0 k
  for ((k = start; k < n; k++)); do
    local w=${words[k]}
    if [[ $w == -* ]]; then
      _chaosnetctl_is_switch "$w" || [[ $w == *=* ]] || ((k++))
    else
      ((positional++))
    fi
  done
  if ((n > start)) && [[ $prev == -* && $prev != *=* ]] && ! _chaosnetctl_is_switch "$prev"; then
    _chaosnetctl_value "$prev" "$cur"
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_chaosnetctl_flags "$sub")" -- "$cur"))
  elif ((positional == 0)); then
    case $sub in
      delay | loss | duplicate | corrupt | reorder | rate | partition | apply | jam)
        COMPREPLY=($(compgen -W "$(_chaosnetctl_interfaces)" -- "$cur"))
        ;;
      get) COMPREPLY=($(compgen -W "$(_chaosnetctl_fault_ids --all)" -- "$cur")) ;;
      extend | revoke) COMPREPLY=($(compgen -W "$(_chaosnetctl_fault_ids)" -- "$cur")) ;;
    esac
  fi
  _chaosnetctl_trim_colon "$cur"
  return 0
}

# bash replaces only the part of the word after its last ':' (COMP_WORDBREAKS):
# strip what precedes it from the candidates, as bash-completion does.
_chaosnetctl_trim_colon() {
  local cur=$1
  if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
    local prefix=${cur%"${cur##*:}"} i
    for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}; done
  fi
}

complete -F _chaosnetctl chaosnetctl
