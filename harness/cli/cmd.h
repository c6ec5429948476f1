/* cmd.h: racelab's subcommands, each in a file of its own. */
#ifndef RACELAB_CMD_H
#define RACELAB_CMD_H

/* Exit statuses shared by all subcommands. */
enum {
    RL_EXIT_CLEAN = 0,    /* no finding */
    RL_EXIT_FINDINGS = 1, /* findings */
    RL_EXIT_USAGE = 2,    /* usage error, or the program did not compile */
    RL_EXIT_INTERNAL = 3, /* racelab itself failed */
};

int cmd_check(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_class_report(int argc, char **argv);

#endif
