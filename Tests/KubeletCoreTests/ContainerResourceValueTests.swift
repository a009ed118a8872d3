import Testing
import Wire
@testable import KubeletCore

/// One `resourceFieldRef` arithmetic for environment variables and downwardAPI files.
struct ContainerResourceValueTests {
    func value(_ resources: String, _ ref: String) throws -> String {
        let pod = try decodePod(#"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"app","resources":"# + resources + "}]}}")
        let selector = try Client.decode(ResourceFieldSelector.self, JSON.parse(ref))
        switch ContainerResourceValue.of(selector, container: pod.spec!.containers![0], allocatable: ["cpu": Quantity("3"), "memory": Quantity("2Gi")]) {
        case .success(let v): return v
        case .failure(let e): return "error: " + e.message
        }
    }

    @Test func valuesAreDividedAndRoundedUp() throws {
        let limits = #"{"limits":{"cpu":"700m","memory":"64Mi"}}"#
        #expect(try value(limits, #"{"resource":"limits.cpu","divisor":"1m"}"#) == "700")
        #expect(try value(limits, #"{"resource":"limits.cpu"}"#) == "1")
        #expect(try value(limits, #"{"resource":"limits.memory","divisor":"1Mi"}"#) == "64")
        #expect(try value(limits, #"{"resource":"limits.memory","divisor":"1G"}"#) == "1")
        // A request left out is its limit (the API's defaulting), else 0.
        #expect(try value(limits, #"{"resource":"requests.memory","divisor":"1Mi"}"#) == "64")
        #expect(try value(#"{"requests":{"cpu":"1.5"}}"#, #"{"resource":"requests.cpu"}"#) == "2")
        #expect(try value("{}", #"{"resource":"requests.cpu"}"#) == "0")
        // A limit left out is the node's allocatable.
        #expect(try value("{}", #"{"resource":"limits.cpu","divisor":"1m"}"#) == "3000")
        #expect(try value("{}", #"{"resource":"limits.memory","divisor":"1Mi"}"#) == "2048")
    }

    @Test func badReferencesSayWhy() throws {
        #expect(try value("{}", #"{"resource":"limits.gpu"}"#) == "error: unsupported container resource : limits.gpu")
        #expect(try value("{}", #"{"resource":"limits.memory","divisor":"-1"}"#) == "error: invalid divisor \"-1\" for limits.memory")
        // A zero divisor counts as 1, as in Kubernetes.
        #expect(try value(#"{"limits":{"memory":"64Mi"}}"#, #"{"resource":"limits.memory","divisor":"0"}"#) == "67108864")
    }
}
