import ArgumentParser

/// `completion bash`: a script for `source <(ctl completion bash)` that completes verbs,
/// resource types (from `ctl api-resources -o name`) and names (from `ctl get TYPE -o name`).
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "completion", abstract: "Print a shell completion script (bash).")
    @Argument(help: "bash") var shell: String?

    func run() throws {
        guard let shell else { throw CtlError("Shell not specified.") }
        guard shell == "bash" else { throw CtlError("Unsupported shell type \"\(shell)\".") }
        Output.print(Self.bash(verbs: CtlCommand.verbs))
    }

    static func bash(verbs: [String]) -> String {
        """
        # bash completion for ctl: source <(ctl completion bash)
        _ctl_complete() {
            local cur="${COMP_WORDS[COMP_CWORD]}"
            local verb="" type="" ns=() i w
            for ((i = 1; i < COMP_CWORD; i++)); do
                w="${COMP_WORDS[i]}"
                case "$w" in
                    -n|--namespace) ns=(-n "${COMP_WORDS[i+1]}"); ((i++)); continue ;;
                    --server|--token|--request-timeout|-o|--output|-l|--selector|-f|--filename|--for|--timeout) ((i++)); continue ;;
                    -*) continue ;;
                esac
                if [[ -z "$verb" ]]; then verb="$w"; elif [[ -z "$type" ]]; then type="$w"; fi
            done
            COMPREPLY=()
            [[ "$cur" == -* ]] && return 0
            if [[ -z "$verb" ]]; then
                COMPREPLY=($(compgen -W "\(verbs.joined(separator: " "))" -- "$cur"))
                return 0
            fi
            case "$verb" in
                get|describe|delete|edit|label|annotate|wait|patch|explain)
                    if [[ -z "$type" && "$cur" != */* ]]; then
                        COMPREPLY=($(compgen -W "$(ctl api-resources -o name 2>/dev/null)" -- "$cur"))
                    elif [[ -n "$type" && "$verb" != explain ]]; then
                        COMPREPLY=($(compgen -W "$(ctl get "$type" "${ns[@]}" -o name 2>/dev/null | sed 's|^[^/]*/||')" -- "$cur"))
                    fi ;;
                cordon|uncordon)
                    COMPREPLY=($(compgen -W "$(ctl get nodes -o name 2>/dev/null | sed 's|^[^/]*/||')" -- "$cur")) ;;
                create)
                    [[ -z "$type" ]] && COMPREPLY=($(compgen -W "namespace configmap secret" -- "$cur")) ;;
                config)
                    [[ -z "$type" ]] && COMPREPLY=($(compgen -W "view set-context" -- "$cur")) ;;
                completion)
                    [[ -z "$type" ]] && COMPREPLY=($(compgen -W "bash" -- "$cur")) ;;
            esac
            return 0
        }
        complete -F _ctl_complete ctl

        """
    }
}
