package dopt.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The {@code federated} section of a job file: defaults, ranges and refusals name the field. */
class JobFederatedTest {

    private static String error(String json) {
        return assertThrows(JobException.class, () -> JobFile.parse(json, "t.json")).getMessage();
    }

    @Test
    void anEmptySectionIsFedAvgOverEightClientsAllSampledOneLocalStepServerSgdLrOne() throws Exception {
        Job j = JobFile.parse("{\"federated\": {}}", "t.json");
        assertEquals(8, j.federated.clients);
        assertNull(j.federated.clientsPerRound);
        assertEquals(8, j.federated.sampled());
        assertEquals(1, j.federated.localSteps);
        assertEquals(Job.ServerOptimizerName.SGD, j.federated.serverOptimizer);
        assertEquals(1.0, j.federated.serverLr);
        assertNull(JobFile.parse("{}", "t.json").federated, "no section: no federated rounds");
    }

    @Test
    void theWrittenSectionParsesAndTheJobTextParsesBackToIt() throws Exception {
        Job j = JobFile.parse("""
            {"federated": {"clients": 100, "clients_per_round": 10, "local_steps": 5, "server_optimizer": "adam",
             "server_lr": 0.01, "beta1": 0.8, "beta2": 0.999, "tau": 0.01}}""", "t.json");
        assertEquals(10, j.federated.sampled());
        Job back = JobFile.parse(JobFile.toJson(j), "back");
        assertEquals(JobFile.toJson(j), JobFile.toJson(back));
        assertEquals(0.01, back.federated.tau);
        assertTrue(!JobFile.toJson(j).contains("momentum\":0.0"), "server momentum is not written for adam: " + JobFile.toJson(j));
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheField() {
        String[][] cases = {
            {"{\"clients\": 0}", "federated.clients"},
            {"{\"clients\": 4, \"clients_per_round\": 5}", "federated.clients_per_round"},
            {"{\"clients_per_round\": 0}", "federated.clients_per_round"},
            {"{\"local_steps\": 0}", "federated.local_steps"},
            {"{\"local_steps\": 100000}, \"steps\": 100000", "federated.local_steps"},
            {"{\"server_lr\": 0}", "federated.server_lr"},
            {"{\"server_lr\": 1e400}", "federated.server_lr"},
            {"{\"momentum\": 1.0}", "federated.momentum"},
            {"{\"server_optimizer\": \"adam\", \"beta2\": 1.0}", "federated.beta2"},
            {"{\"server_optimizer\": \"adam\", \"tau\": 0}", "federated.tau"},
            {"{\"server_optimizer\": \"yogi\"}", "federated.server_optimizer"},
        };
        for (String[] c : cases) {
            String e = error("{\"federated\": " + c[0] + "}");
            assertTrue(e.contains("'" + c[1] + "'"), c[0] + " -> " + e);
        }
    }

    @Test
    void aKeyTheServerOptimizerDoesNotReadIsRefused() {
        assertTrue(error("{\"federated\": {\"tau\": 0.1}}").contains("'federated.tau' has no effect with federated.server_optimizer sgd"));
        assertTrue(error("{\"federated\": {\"server_optimizer\": \"adam\", \"momentum\": 0.9}}").contains("'federated.momentum'"));
    }

    @Test
    void combinationsTheRoundsDoNotSupportYetAreRefused() {
        assertTrue(error("{\"federated\": {}, \"comm\": {\"local_steps\": 2}}").contains("'federated' cannot be combined with 'comm.local_steps'"));
        assertTrue(error("{\"federated\": {}, \"comm\": {\"compressor\": \"sign\"}}").contains("'comm.compressor'"));
        assertTrue(error("{\"federated\": {}, \"aggregation\": {\"rule\": \"median\"}}").contains("'aggregation'"));
        assertTrue(error("{\"federated\": {}, \"model\": {\"type\": \"transformer\"}, \"data\": {\"dataset\": \"sotu\"}}")
                .contains("'federated' trains mlp and cnn models"));
    }

    @Test
    void meritfedAndLocalNeedATargetAllClientsAndMeritfedThePlainServerStep() throws Exception {
        Job j = JobFile.parse("{\"federated\": {\"aggregation\": \"meritfed\", \"target_client\": 2, \"meritfed\": {\"md_lr\": 3}}}", "t");
        assertEquals(Job.ClientAggregation.MERITFED, j.federated.aggregation);
        assertEquals(10, j.federated.meritfedOrDefault().mdSteps);
        assertEquals(3.0, j.federated.meritfedOrDefault().mdLr);
        assertEquals(JobFile.toJson(j), JobFile.toJson(JobFile.parse(JobFile.toJson(j), "back")));
        assertEquals(Job.ClientAggregation.FEDAVG, JobFile.parse("{\"federated\": {}}", "t").federated.aggregation);
        String[][] cases = {
            {"{\"aggregation\": \"meritfed\"}", "'federated.target_client' is missing"},
            {"{\"aggregation\": \"local\", \"target_client\": 8}", "'federated.target_client' must be a client, 0 to 7"},
            {"{\"aggregation\": \"meritfed\", \"target_client\": 0, \"clients_per_round\": 4}", "'federated.clients_per_round' must be left out"},
            {"{\"aggregation\": \"meritfed\", \"target_client\": 0, \"server_optimizer\": \"adam\"}", "must be sgd without momentum"},
            {"{\"aggregation\": \"meritfed\", \"target_client\": 0, \"momentum\": 0.9}", "must be sgd without momentum"},
            {"{\"aggregation\": \"meritfed\", \"target_client\": 0, \"meritfed\": {\"md_steps\": 0}}", "'federated.meritfed.md_steps'"},
            {"{\"aggregation\": \"meritfed\", \"target_client\": 0, \"meritfed\": {\"md_lr\": -1}}", "'federated.meritfed.md_lr'"},
            {"{\"aggregation\": \"meritfed\", \"target_client\": 0, \"meritfed\": {\"validation_batches\": 0}}",
                    "'federated.meritfed.validation_batches'"},
            {"{\"aggregation\": \"meritfed\", \"target_client\": 0, \"meritfed\": {\"mdlr\": 1}}", "mdlr"},
            {"{\"target_client\": 0}", "'federated.target_client' has no effect with federated.server_optimizer sgd and federated.aggregation fedavg"},
            {"{\"aggregation\": \"local\", \"target_client\": 0, \"meritfed\": {}}", "'federated.meritfed' has no effect"},
            {"{\"aggregation\": \"krum\"}", "federated.aggregation"},
        };
        for (String[] c : cases) {
            String e = error("{\"federated\": " + c[0] + "}");
            assertTrue(e.contains(c[1]), c[0] + " -> " + e);
        }
    }
}
