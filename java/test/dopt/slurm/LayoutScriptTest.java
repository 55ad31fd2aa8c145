package dopt.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dopt.cli.DoptProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * slurm/layout.sh, the machines file of a SLURM job: MPJ Express must put on every node as many
 * ranks as SLURM gave it tasks (SLURM_TASKS_PER_NODE), not its own even split.
 */
class LayoutScriptTest {
    private record Out(int code, String out) { }

    private static Out layout(String call) throws Exception {
        DoptProcess.Result r = DoptProcess.exec(List.of("bash", "-c", ". slurm/layout.sh && " + call), DoptProcess.repo(), 30);
        return new Out(r.exitCode(), r.output().trim());
    }

    /**
     * How MPJ Express 0.44's starter places np ranks (runtime.starter.MPJRun.assignTasks with
     * MPJUtil.readMachineFile): repeated lines are dropped, the m remaining lines get consecutive
     * blocks of np / m ranks, one more for the first np mod m; a line names its host in any case.
     */
    private static Map<String, Integer> mpjPlacement(int np, List<String> lines) {
        List<String> machines = new ArrayList<>();
        for (String l : lines) if (!l.isBlank() && !machines.contains(l.trim())) machines.add(l.trim());
        while (machines.size() > np) machines.remove(machines.size() - 1);
        Map<String, Integer> perHost = new LinkedHashMap<>();
        int m = machines.size();
        for (int i = 0; i < m; i++) perHost.merge(machines.get(i).toLowerCase(Locale.ROOT), np / m + (i < np % m ? 1 : 0), Integer::sum);
        return perHost;
    }

    @Test
    void slurmsTasksPerNodeSyntaxExpands() throws Exception {
        assertEquals("4 4 2", layout("dopt_tasks_per_node '4(x2),2'").out());
        assertEquals("3", layout("dopt_tasks_per_node 3").out());
        assertEquals("1 2 2 2", layout("dopt_tasks_per_node '1,2(x3)'").out());
        assertEquals("4", layout("dopt_max_tasks_per_node '2,4,1'").out());
        assertEquals(2, layout("dopt_tasks_per_node 'four'").code());
    }

    @Test
    void anUnevenLayoutIsWhatMpjPlaces() throws Exception {
        for (String[] c : new String[][] {{"6", "4,2", "n1 n2"}, {"10", "4(x2),2", "node1 node2 node3"}, {"5", "3,2", "gpu-a gpu-b"},
                {"7", "1,2(x3)", "c1 c2 c3 c4"}, {"8", "4(x2)", "alpha beta"}, {"2", "2", "vm"}}) {
            Out r = layout("dopt_machines_file " + c[0] + " '" + c[1] + "' " + c[2]);
            assertEquals(0, r.code(), r.out());
            List<String> tasks = List.of(layout("dopt_tasks_per_node '" + c[1] + "'").out().split(" "));
            String[] hosts = c[2].split(" ");
            Map<String, Integer> want = new LinkedHashMap<>();
            for (int i = 0; i < hosts.length; i++) want.put(hosts[i], Integer.parseInt(tasks.get(i)));
            assertEquals(want, mpjPlacement(Integer.parseInt(c[0]), r.out().lines().toList()), c[1] + ": " + r.out());
        }
    }

    @Test
    void anEvenLayoutNamesEachNodeOnce() throws Exception {
        assertEquals("n1\nn2", layout("dopt_machines_file 8 '4(x2)' n1 n2").out());
    }

    @Test
    void whatCannotBeHonouredIsRefusedWithAReason() throws Exception {
        Out wrongCount = layout("dopt_machines_file 4 '4,2' n1 n2");
        assertEquals(2, wrongCount.code());
        assertTrue(wrongCount.out().contains("4 ranks, but the allocation has 6 tasks"), wrongCount.out());
        // "n1" has one letter: two spellings, not the 3 lines that 3+1 needs
        Out tooFewLetters = layout("dopt_machines_file 4 '3,1' n1 n2");
        assertEquals(2, tooFewLetters.code());
        assertTrue(tooFewLetters.out().contains("too few letters"), tooFewLetters.out());
    }

    @Test
    void theDaemonStepIsUnboundOnlyWhereSlurmBindsTasks() throws Exception {
        assertEquals("--cpu-bind=none", layout("dopt_daemon_cpu_bind task/affinity,task/cgroup").out());
        assertEquals("--cpu-bind=none", layout("dopt_daemon_cpu_bind task/cgroup").out());
        assertEquals("", layout("dopt_daemon_cpu_bind task/none").out());
    }
}
