// Project templates for `retort init`: the files each template writes.
#ifndef RETORT_CONFIG_TEMPLATES_H_
#define RETORT_CONFIG_TEMPLATES_H_

#include <string>
#include <vector>

namespace retort {

// ProjectTemplate is one `init -t NAME` choice: a name, a one-line
// description, and the retort.toml / README text it writes.
struct ProjectTemplate {
  std::string name;
  std::string description;
  // retort.toml; "@SCRIPT_LOCATION@" stands for the init directory.
  std::string config;
  // README.md written into the script location.
  std::string readme;
};

const std::vector<ProjectTemplate>& ProjectTemplates();
const ProjectTemplate* FindProjectTemplate(const std::string& name);

}  // namespace retort

#endif  // RETORT_CONFIG_TEMPLATES_H_
